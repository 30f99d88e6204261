/**
 * A service's sidecar in the local mesh: a real Envoy in the service's pod (its network namespace)
 * with what istiod gives a sidecar, minus the xDS plumbing.
 *
 * - Inbound, on the pod's address and each container port: the workload's PeerAuthentication mode
 *   (STRICT: mutual TLS only), then the HTTP filters Istio's own builders compiled from mesh/
 *   (jwt_authn, then RBAC), then the service on the pod's loopback.
 * - Outbound, on the pod's loopback, one listener per service it calls (the topology's `calls`):
 *   mutual TLS with the workload's own certificate to the callee's sidecar, accepting only the
 *   callee's identity.
 *
 * The filters and the inbound TLS context are the compiler's output as it is; nothing of the
 * policy is translated here. Traffic policy (mesh/destination-rules.yaml, virtual-services.yaml) is
 * not compiled: Envoy's defaults apply to the outbound side. No tracer: the sidecars pass the
 * caller's `traceparent` on untouched, so the services' spans join the edge's trace directly.
 */
import { type Environment, localOnly } from '../environment.js';
import { connectionLimit, socketAddress, stdoutAccessLog, upstreamCluster } from '../edge/envoy.js';
import { containerPorts, serviceIdentity, type ServiceName, services, workloadName } from '../topology.js';
import type { CompiledWorkload, TlsMode } from './compiled-workload.js';
import { meshClientTls } from './workload-certificates.js';

type Json = Record<string, unknown>;

/** Istio's name for the cluster of a container port (inbound) and of a service's port (outbound). */
export const inboundClusterName = (port: number) => `inbound|${port}||`;
export const outboundClusterName = (callee: ServiceName) =>
  `outbound|${containerPorts.http}||${workloadName(callee)}`;

const connectTimeoutMs = 1000;

export interface SidecarOptions {
  service: ServiceName;
  /** The compiler's output for the service's workload. */
  compiled: CompiledWorkload;
  /** The workload's own certificate folder (the one the compiler's --cert-dir named). */
  certDir: string;
  /** The admin interface, on a Unix socket: reachable from the stack, not from the pods' network. */
  adminSocket: string;
  /**
   * The ports the inbound listeners take (default: the container ports). A second sidecar beside
   * the real one (tests) listens elsewhere, with the compiler told so (--port-map).
   */
  inboundPorts?: { http: number; management: number };
  /** Whether to add outbound listeners (default true; a second sidecar has none). */
  outbound?: boolean;
}

export function renderSidecar(env: Environment, options: SidecarOptions): Json {
  const mesh = localOnly(env.mesh, 'mesh', env);
  const { service, compiled } = options;
  const podAddress = mesh.pods[service];
  const ports = options.inboundPorts ?? containerPorts;
  const inbound = (['http', 'management'] as const).map((kind) =>
    inboundListener(compiled, { host: podAddress, port: ports[kind] }, containerPorts[kind]),
  );
  const callees = options.outbound === false ? [] : (services[service].calls as readonly ServiceName[]);
  const outbound = callees.map((callee) =>
    listenerOf(`outbound|${callee}`, { host: '127.0.0.1', port: mesh.outboundPorts[callee] }, [
      { filters: [connectionManager(`outbound_${callee}`, outboundClusterName(callee), [])] },
    ]),
  );
  return {
    node: { id: `${compiled.workload}.${compiled.namespace}`, cluster: compiled.workload },
    admin: { address: { pipe: { path: options.adminSocket } } },
    overload_manager: connectionLimit(),
    static_resources: {
      listeners: [...inbound, ...outbound],
      clusters: [
        ...(['http', 'management'] as const).map((kind) =>
          upstreamCluster(
            inboundClusterName(containerPorts[kind]),
            { host: '127.0.0.1', port: containerPorts[kind] },
            connectTimeoutMs,
          ),
        ),
        ...callees.map((callee) => ({
          ...upstreamCluster(
            outboundClusterName(callee),
            { host: mesh.pods[callee], port: containerPorts.http },
            connectTimeoutMs,
          ),
          transport_socket: meshClientTls(options.certDir, serviceIdentity(callee)),
        })),
        ...compiled.jwksClusters.map((jwks) => ({
          ...upstreamCluster(jwks.name, { host: jwks.host, port: jwks.port }, connectTimeoutMs),
          ...(jwks.tls
            ? {
                transport_socket: {
                  name: 'envoy.transport_sockets.tls',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
                    sni: jwks.host,
                  },
                },
              }
            : {}),
        })),
      ],
    },
  };
}

/**
 * Istio's compiled jwt_authn fetches the key set on demand; a sidecar whose cache expires while
 * Keycloak is down would then refuse valid tokens. Fetching in the background (as the edge does)
 * keeps the keys it holds until a refresh succeeds. Which keys and issuers are trusted is unchanged.
 */
function keyFetchInBackground(filter: Json): Json {
  const config = filter.typed_config as Json | undefined;
  if (filter.name !== 'envoy.filters.http.jwt_authn' || !config?.providers) return filter;
  const providers = Object.fromEntries(
    Object.entries(config.providers as Record<string, Json>).map(([name, provider]) => [
      name,
      provider.remote_jwks
        ? {
            ...provider,
            remote_jwks: {
              ...(provider.remote_jwks as Json),
              async_fetch: {},
              retry_policy: { num_retries: 3 },
            },
          }
        : provider,
    ]),
  );
  return { ...filter, typed_config: { ...config, providers } };
}

/**
 * One inbound listener: PeerAuthentication's mode for the port decides which connections it takes
 * (a TLS inspector tells mutual TLS from plain text, as Istio's inbound listener does); every
 * accepted request then passes the compiled filters before reaching the service.
 */
function inboundListener(
  compiled: CompiledWorkload,
  address: { host: string; port: number },
  containerPort: number,
): Json {
  const mode: TlsMode = compiled.portTlsModes[String(address.port)] ?? compiled.inboundTlsMode;
  const hcm = connectionManager(
    `inbound_${containerPort}`,
    inboundClusterName(containerPort),
    compiled.httpFilters.map(keyFetchInBackground),
  );
  const tls = {
    filter_chain_match: { transport_protocol: 'tls' },
    transport_socket: {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
        ...requireTlsContext(compiled),
      },
    },
    filters: [hcm],
  };
  const plain = { filter_chain_match: { transport_protocol: 'raw_buffer' }, filters: [hcm] };
  // STRICT: a connection that is not TLS matches no chain and is closed at once.
  const chains = mode === 'STRICT' ? [tls] : mode === 'PERMISSIVE' ? [tls, plain] : [plain];
  return {
    ...listenerOf(`inbound|${containerPort}`, address, chains),
    listener_filters: [
      {
        name: 'envoy.filters.listener.tls_inspector',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
        },
      },
    ],
  };
}

function requireTlsContext(compiled: CompiledWorkload): Json {
  if (!compiled.downstreamTlsContext) {
    throw new Error(
      `mesh-compiler gave ${compiled.workload} no inbound TLS context (was it run with --cert-dir?)`,
    );
  }
  return compiled.downstreamTlsContext;
}

function listenerOf(name: string, address: { host: string; port: number }, filterChains: Json[]): Json {
  return { name, address: socketAddress(address), filter_chains: filterChains };
}

/**
 * The HTTP connection manager of a sidecar listener: transparent to the request (the caller's
 * request id and trace context go on as they came, the service's own Server header comes back),
 * the peer's identity passed to the service in x-forwarded-client-cert as Istio does.
 */
function connectionManager(statPrefix: string, cluster: string, filters: Json[]): Json {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type':
        'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      stat_prefix: statPrefix,
      codec_type: 'AUTO',
      use_remote_address: false,
      preserve_external_request_id: true,
      normalize_path: true,
      server_header_transformation: 'PASS_THROUGH',
      forward_client_cert_details: 'APPEND_FORWARD',
      set_current_client_cert_details: { subject: true, dns: true, uri: true },
      access_log: [
        stdoutAccessLog(
          '%RESPONSE_CODE_DETAILS% %UPSTREAM_CLUSTER% %DURATION%ms id=%REQ(X-REQUEST-ID)% peer=%DOWNSTREAM_PEER_URI_SAN%',
        ),
      ],
      route_config: {
        name: statPrefix,
        virtual_hosts: [
          {
            name: statPrefix,
            domains: ['*'],
            // No route timeout: the caller (the edge, or the calling service) bounds the call.
            routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster, timeout: '0s' } }],
          },
        ],
      },
      http_filters: [
        ...filters,
        {
          name: 'envoy.filters.http.router',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
            suppress_envoy_headers: true,
          },
        },
      ],
    },
  };
}
