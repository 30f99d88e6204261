/**
 * The two plain TCP forwarders of the local mesh, each a real Envoy:
 *
 * - a service's port-forward: `kubectl port-forward` for the local pod. It runs in the pod's network
 *   namespace and listens on the root namespace's loopback (the service's address in
 *   environments/local.yaml), so tests and developers reach the service directly, as in the
 *   cluster, while no pod can (the root loopback is not on the bridge);
 * - the infrastructure proxy: Keycloak and the OpenTelemetry Collector bind one address each, so
 *   a forwarder in the root namespace makes them reachable on the bridge's address too (PostgreSQL,
 *   RabbitMQ and Redis listen there themselves).
 */
import { type Environment, localOnly } from '../environment.js';
import { connectionLimit, socketAddress, upstreamCluster, type HostPort } from '../edge/envoy.js';
import { containerPorts, type ServiceName } from '../topology.js';

type Json = Record<string, unknown>;

interface Forward {
  name: string;
  listen: HostPort;
  to: HostPort;
}

function tcpForwarder(node: string, adminSocket: string, forwards: Forward[], listenNetns?: string): Json {
  return {
    node: { id: node, cluster: node },
    admin: { address: { pipe: { path: adminSocket } } },
    overload_manager: connectionLimit(),
    static_resources: {
      listeners: forwards.map(({ name, listen }) => {
        const address = socketAddress(listen) as { socket_address: Json };
        if (listenNetns) address.socket_address.network_namespace_filepath = listenNetns;
        return {
          name,
          address,
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.tcp_proxy',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
                    stat_prefix: name,
                    cluster: name,
                  },
                },
              ],
            },
          ],
        };
      }),
      clusters: forwards.map(({ name, to }) => upstreamCluster(name, to, 1000)),
    },
  };
}

/**
 * A service's port-forward: started inside its pod, listening in the root namespace (`hostNetns`,
 * a handle of it under /var/run/netns) on the service's local address, forwarding to the service
 * on the pod's loopback.
 */
export function renderPortForward(
  service: ServiceName,
  env: Environment,
  options: { hostNetns: string; adminSocket: string },
): Json {
  const endpoint = env.services[service];
  return tcpForwarder(
    `port-forward-${service}`,
    options.adminSocket,
    [
      {
        name: 'http',
        listen: { host: endpoint.host, port: endpoint.port },
        to: { host: '127.0.0.1', port: containerPorts.http },
      },
      {
        name: 'management',
        listen: { host: endpoint.host, port: endpoint.managementPort },
        to: { host: '127.0.0.1', port: containerPorts.management },
      },
    ],
    options.hostNetns,
  );
}

/** Keycloak and the collector's OTLP/HTTP receiver on the bridge's address, for the pods. */
export function renderInfrastructureProxy(env: Environment, options: { adminSocket: string }): Json {
  const { hostAddress } = localOnly(env.mesh, 'mesh', env);
  const keycloak = new URL(env.keycloak.internalUrl);
  // The pods use the same URL with the bridge's address (service-env.ts podView).
  const keycloakPort = Number(keycloak.port || (keycloak.protocol === 'https:' ? 443 : 80));
  return tcpForwarder('infrastructure-proxy', options.adminSocket, [
    {
      name: 'keycloak',
      listen: { host: hostAddress, port: keycloakPort },
      to: { host: keycloak.hostname, port: keycloakPort },
    },
    {
      name: 'otel-collector',
      listen: { host: hostAddress, port: env.otelCollector.otlpHttpPort },
      to: { host: env.otelCollector.host, port: env.otelCollector.otlpHttpPort },
    },
  ]);
}
