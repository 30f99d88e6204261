/**
 * The platform's own rules over every overlay: hardened workloads with their own identities, named
 * Service ports, STRICT mTLS and a default deny, policies naming only identities and routes that
 * exist, one issuer/JWKS/audience everywhere, retries only where safe, and settings every service
 * accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@platform/platform/environment';
import { loadAccessMap } from '@platform/platform/access-map';
import { databaseOwners } from '@platform/platform/topology';
import {
  environmentOf,
  hostProblems,
  meshBaselineProblems,
  principalProblems,
  readOnlyRootProblems,
  referenceProblems,
  requestAuthenticationProblems,
  routeProblems,
  selectorProblems,
  servicePortProblems,
  serviceWorkloadProblems,
  serviceWorkloads,
  tokenConsistencyProblems,
  trafficProblems,
  workloadProblems,
  workloadsOf,
} from '../checks.js';
import {
  containerPorts,
  namespace,
  realmPlaceholders,
  tokenExpectations,
} from '@platform/platform/cluster/cluster-config';
import {
  kustomizeBuild,
  overlays,
  parseObjects,
  renderOverlay,
  tool,
  type KubeObject,
} from '../manifests.js';
import { externalPrincipals } from '@platform/platform/cluster/mesh-policies';
import { definitions, routesByWorkload } from './service-definitions.js';

const hardened = ['auth-service', 'user-service', 'billing-service', 'tyk-gateway'];

// A cold machine builds kustomize first (a few minutes); later runs find it in .cache/tools.
beforeAll(() => {
  tool('kustomize');
}, 30 * 60_000);

describe.each(overlays)('the %s overlay', (overlay) => {
  let objects: KubeObject[] = [];
  beforeAll(() => {
    objects = renderOverlay(overlay).objects;
  });

  it('when a Deployment or StatefulSet runs, then it has probes, limits, a non-root user, no capabilities and its own ServiceAccount', () => {
    expect(workloadProblems(objects)).toEqual([]);
  });

  it('when a service runs, then it probes the management port, migrates first, spreads, scales and has a disruption budget', () => {
    expect(
      serviceWorkloads(objects)
        .map((workload) => workload.name)
        .sort(),
    ).toEqual(['auth-service', 'billing-service', 'user-service']);
    expect(serviceWorkloadProblems(objects)).toEqual([]);
  });

  it('when a pod reads a ConfigMap or Secret, then the render provides it', () => {
    expect(referenceProblems(objects)).toEqual([]);
  });

  it('when the sidecars fetch the JWKS or a workload calls a URL in the cluster, then its host is a Service or ServiceEntry', () => {
    expect(hostProblems(objects, parseObjects(kustomizeBuild('k8s/observability')))).toEqual([]);
  });

  it('when a Service exposes a port, then the port is named for Istio and targets a named container port', () => {
    expect(servicePortProblems(objects)).toEqual([]);
  });

  it('when the mesh is rendered, then sidecars are injected, mTLS is STRICT and everything is denied by default', () => {
    expect(meshBaselineProblems(objects, namespace)).toEqual([]);
  });

  it('when a policy names a principal, then it is a ServiceAccount in the render or a documented outside identity', () => {
    expect(principalProblems(objects, externalPrincipals)).toEqual([]);
  });

  it('when a policy selects workloads, then it selects at least one', () => {
    expect(selectorProblems(objects)).toEqual([]);
  });

  it('when a service is reached, then its sidecar verifies tokens and admits only named identities', () => {
    expect(requestAuthenticationProblems(objects)).toEqual([]);
  });

  it("when an allow rule names a path, then the service's router declares it with the same method, token and roles", () => {
    expect(routeProblems(objects, routesByWorkload(), String(containerPorts.http))).toEqual([]);
  });

  it('when anything checks a token, then it expects the issuer, keys and audience of the Keycloak render', () => {
    expect(tokenConsistencyProblems(objects, tokenExpectations())).toEqual([]);
  });

  it("when the mesh retries or times out, then only idempotent methods retry and every timeout is below the edge's", () => {
    expect(trafficProblems(objects, loadAccessMap().limits.upstreamTimeoutSeconds)).toEqual([]);
  });
});

describe('the prod overlay', () => {
  let objects: KubeObject[] = [];
  beforeAll(() => {
    objects = renderOverlay('prod').objects;
  });

  it('when the services and Tyk run, then their root filesystems are read-only', () => {
    expect(readOnlyRootProblems(objects, hardened)).toEqual([]);
  });

  it('when it is rendered, then it runs no database, broker, cache or identity provider', () => {
    const names = workloadsOf(objects).map((workload) => workload.name);
    expect(names.filter((name) => ['postgres', 'rabbitmq', 'redis', 'keycloak'].includes(name))).toEqual([]);
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
  });

  it('when a Secret is fetched from the secret store, then it holds every key the dev Secret holds', () => {
    const dev = renderOverlay('dev').objects;
    const keysOf = (object: KubeObject | undefined) =>
      Object.keys((object?.data as Record<string, string> | undefined) ?? {}).sort();
    for (const external of objects.filter((object) => object.kind === 'ExternalSecret')) {
      const name = external.metadata.name;
      const secret = dev.find(
        (object) => object.kind === 'Secret' && object.metadata.name.startsWith(`${name}-`),
      );
      const keys = (external.spec as { data: { secretKey: string }[] }).data
        .map((entry) => entry.secretKey)
        .sort();
      expect({ name, keys }).toEqual({ name, keys: keysOf(secret) });
    }
  });
});

describe('the dev overlay', () => {
  let objects: KubeObject[] = [];
  beforeAll(() => {
    objects = renderOverlay('dev').objects;
  });

  it('when Tyk and the in-cluster cache and database run, then their root filesystems are read-only', () => {
    expect(readOnlyRootProblems(objects, ['tyk-gateway', 'redis', 'postgres'])).toEqual([]);
  });

  it.each(Object.keys(definitions))(
    'when the %s service starts with its ConfigMap and Secret, then its configuration schema accepts them',
    (service) => {
      const workload = serviceWorkloads(objects).find(
        (candidate) => candidate.name === `${service}-service`,
      )!;
      for (const container of [...(workload.pod.initContainers ?? []), ...workload.pod.containers]) {
        const parsed = definitions[service as keyof typeof definitions].configSchema.safeParse(
          environmentOf(objects, container),
        );
        expect(parsed.error?.issues ?? []).toEqual([]);
      }
    },
  );

  it('when Keycloak imports the realm, then its environment provides every placeholder the realm uses', () => {
    const keycloak = workloadsOf(objects).find((workload) => workload.name === 'keycloak')!;
    const env = environmentOf(objects, keycloak.pod.containers[0]!);
    const realm = objects.find(
      (object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('keycloak-realm-'),
    );
    const placeholders = realmPlaceholders((realm?.data as Record<string, string>)['platform-realm.json']!);
    expect(placeholders.length).toBeGreaterThan(0);
    expect(placeholders.filter((name) => !env[name])).toEqual([]);
  });

  it('when the services log in to Keycloak and PostgreSQL, then the secrets on both sides match', () => {
    const env = (name: string) =>
      environmentOf(objects, workloadsOf(objects).find((w) => w.name === name)!.pod.containers[0]!);
    const keycloak = env('keycloak');
    const postgres = env('postgres');
    for (const service of Object.keys(definitions)) {
      const config = env(`${service}-service`);
      const clientSecret = keycloak[`${service.toUpperCase()}_SERVICE_CLIENT_SECRET`];
      expect(config.OIDC_CLIENT_SECRET).toBe(clientSecret);
      const database = new URL(config.DATABASE_URL!);
      const owner = databaseOwners.find((candidate) => candidate.user === database.username)!;
      expect(decodeURIComponent(database.password)).toBe(postgres[owner.passwordVariable]);
    }
    expect(keycloak.KC_DB_PASSWORD).toBe(postgres.KEYCLOAK_DB_PASSWORD);
  });

  it("when PostgreSQL first starts, then its init script creates every owner's role and database", () => {
    const script = readFileSync(join(repoRoot, 'k8s/overlays/dev/postgres/init-databases.sh'), 'utf8');
    const created = [...script.matchAll(/^create (\S+) "\$(\w+)"$/gm)].map(([, owner, variable]) => ({
      owner,
      variable,
    }));
    expect(created).toEqual(
      databaseOwners.map((owner) => ({ owner: owner.name, variable: owner.passwordVariable })),
    );
    expect(databaseOwners.every((owner) => owner.name === owner.user)).toBe(true);
  });
});
