/**
 * The local mesh's renderings, without running anything: the environment's mesh section is
 * checked, a pod's service sees only the bridge and its own loopback, a sidecar places the
 * compiler's filters as they are, and the identities are the cluster's service accounts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { environmentSchema, loadEnvironment, loadSecrets, repoRoot } from '../../src/environment.js';
import { podServiceEnv } from '../../src/service-env.js';
import { renderSidecar } from '../../src/mesh/sidecar.js';
import type { CompiledWorkload } from '../../src/mesh/compiled-workload.js';
import {
  edgeIdentity,
  principalOf,
  prometheusIdentity,
  serviceNames,
  spiffeIdOf,
} from '../../src/topology.js';

// Rendered configuration is read by path; its types are Envoy's, not ours.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const env = loadEnvironment();
const mesh = env.mesh!;

describe('the mesh section of environments/local.yaml', () => {
  const raw = parse(readFileSync(join(repoRoot, 'environments', 'local.yaml'), 'utf8')) as Loose;

  it('when a pod address lies outside the subnet, then the environment is refused naming it', () => {
    const result = environmentSchema.safeParse({
      ...raw,
      mesh: { ...raw.mesh, pods: { ...raw.mesh.pods, user: '10.99.0.5' } },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toEqual(['mesh.pods.user']);
  });

  it('when two pods share an address, then the environment is refused', () => {
    const result = environmentSchema.safeParse({
      ...raw,
      mesh: { ...raw.mesh, pods: { ...raw.mesh.pods, billing: raw.mesh.pods.user } },
    });
    expect(result.success).toBe(false);
  });
});

describe('a service’s environment in its pod', () => {
  it.each(serviceNames)(
    'when %s runs in its pod, then it listens on the pod’s loopback and reaches only the bridge and its own sidecar',
    (service) => {
      const vars = podServiceEnv(service, env, loadSecrets());
      expect([vars.HOST, vars.PORT, vars.MANAGEMENT_PORT]).toEqual(['127.0.0.1', '3000', '9090']);
      const hosts = Object.values(vars)
        .filter((value) => /^[a-z]+:\/\//.test(value))
        .map((value) => new URL(value).hostname);
      const allowed = new Set([mesh.hostAddress, '127.0.0.1', new URL(env.keycloak.publicUrl).hostname]);
      expect(hosts.filter((host) => !allowed.has(host))).toEqual([]);
    },
  );

  it('when billing calls the user service, then USER_SERVICE_URL is its sidecar’s outbound listener', () => {
    expect(podServiceEnv('billing', env, loadSecrets()).USER_SERVICE_URL).toBe(
      `http://127.0.0.1:${mesh.outboundPorts.user}`,
    );
  });
});

describe('a sidecar rendering', () => {
  const filters = [
    { name: 'envoy.filters.http.jwt_authn', typed_config: { marker: 'first' } },
    { name: 'envoy.filters.http.rbac', typed_config: { marker: 'second' } },
  ];
  const compiled: CompiledWorkload = {
    workload: 'billing-service',
    namespace: 'platform',
    serviceAccount: 'billing-service',
    principal: 'spiffe://cluster.local/ns/platform/sa/billing-service',
    labels: {},
    inboundTlsMode: 'STRICT',
    portTlsModes: { '3000': 'STRICT', '9090': 'STRICT' },
    httpFilters: filters,
    networkFilters: [],
    jwksClusters: [
      {
        name: 'keycloak-jwks',
        uri: 'http://10.77.0.1:18080/certs',
        host: '10.77.0.1',
        port: 18080,
        tls: false,
      },
    ],
    downstreamTlsContext: { require_client_certificate: true },
  };
  const rendered = renderSidecar(env, {
    service: 'billing',
    compiled,
    certDir: 'certs/billing-service',
    adminSocket: 'admin.sock',
  }) as Loose;
  const listeners = rendered.static_resources.listeners as Loose[];
  const listener = (name: string) => listeners.find((l) => l.name === name)!;
  const hcmOf = (listener: Loose) => listener.filter_chains[0].filters[0].typed_config;

  it('when STRICT, then each inbound listener on the pod address takes TLS only, with the compiler’s context', () => {
    const inbound = listeners.filter((l) => l.name.startsWith('inbound|'));
    expect(
      inbound.map((l) => `${l.address.socket_address.address}:${l.address.socket_address.port_value}`),
    ).toEqual([`${mesh.pods.billing}:3000`, `${mesh.pods.billing}:9090`]);
    for (const listener of inbound) {
      expect(listener.filter_chains).toHaveLength(1);
      expect(listener.filter_chains[0].filter_chain_match).toEqual({ transport_protocol: 'tls' });
      expect(listener.filter_chains[0].transport_socket.typed_config.require_client_certificate).toBe(true);
    }
  });

  it('when the compiler gives filters, then they come first, in order and unchanged, before the router', () => {
    const names = hcmOf(listener('inbound|3000')).http_filters.map((f: { name: string }) => f.name);
    expect(names).toEqual([
      'envoy.filters.http.jwt_authn',
      'envoy.filters.http.rbac',
      'envoy.filters.http.router',
    ]);
    expect(hcmOf(listener('inbound|3000')).http_filters.slice(0, 2)).toEqual(filters);
  });

  it('when billing calls the user service, then its outbound cluster speaks mTLS and accepts only the user service’s identity', () => {
    const outbound = listener('outbound|user');
    expect(outbound.address.socket_address).toMatchObject({
      address: '127.0.0.1',
      port_value: mesh.outboundPorts.user,
    });
    const cluster = rendered.static_resources.clusters.find(
      (c: { name: string }) =>
        c.name === hcmOf(outbound).route_config.virtual_hosts[0].routes[0].route.cluster,
    );
    const validation = cluster.transport_socket.typed_config.common_tls_context.validation_context;
    expect(validation.match_typed_subject_alt_names).toEqual([
      { san_type: 'URI', matcher: { exact: 'spiffe://cluster.local/ns/platform/sa/user-service' } },
    ]);
  });
});

describe('the mesh identities are the cluster’s service accounts', () => {
  const docs = (path: string) =>
    parseAllDocuments(readFileSync(join(repoRoot, path), 'utf8')).map((doc) => doc.toJS() as Loose);

  it('when the edge calls as tyk-gateway, then that is the Tyk gateway’s service account', () => {
    const [deployment] = docs('k8s/components/tyk-gateway/deployment.yaml');
    expect(deployment!.spec.template.spec.serviceAccountName).toBe(edgeIdentity.serviceAccount);
  });

  it('when Prometheus scrapes as monitoring/prometheus, then that is its service account and the principal mesh/ admits', () => {
    const [deployment] = docs('k8s/observability/prometheus/deployment.yaml');
    expect(deployment!.spec.template.spec.serviceAccountName).toBe(prometheusIdentity.serviceAccount);
    expect(docs('k8s/observability/kustomization.yaml')[0]!.namespace).toBe(prometheusIdentity.namespace);
    const [policy] = docs('mesh/observability-authorization.yaml');
    expect(policy!.spec.rules[0].from[0].source.principals).toEqual([principalOf(prometheusIdentity)]);
    expect(spiffeIdOf(prometheusIdentity)).toBe('spiffe://cluster.local/ns/monitoring/sa/prometheus');
  });
});
