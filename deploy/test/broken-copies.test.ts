/**
 * The checks bite: each is run on a copy of the dev render broken on purpose, and must name the
 * break. (The same checks pass on the real render in manifest-invariants.test.ts and
 * manifest-schemas.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadAccessMap } from '@platform/platform/access-map';
import {
  hostProblems,
  meshBaselineProblems,
  principalProblems,
  requestAuthenticationProblems,
  routeProblems,
  tokenConsistencyProblems,
  trafficProblems,
  workloadProblems,
} from '../checks.js';
import { containerPorts, namespace, tokenExpectations } from '@platform/platform/cluster/cluster-config';
import {
  istioAnalyzerProblems,
  renderOverlay,
  schemaProblems,
  strictDecodingProblems,
  tool,
  type KubeObject,
} from '../manifests.js';
import { externalPrincipals } from '@platform/platform/cluster/mesh-policies';
import { routesByWorkload } from './service-definitions.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests edited by path

const scratch = mkdtempSync(join(tmpdir(), 'deploy-broken-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let rendered: KubeObject[] = [];
beforeAll(() => {
  tool('kube-strict');
  tool('kustomize');
  rendered = renderOverlay('dev').objects;
}, 30 * 60_000);

/** A deep copy of the render with `edit` applied to the one object of that kind and name. */
function brokenCopy(kind: string, name: string, edit: (object: Json) => void): KubeObject[] {
  const copy = structuredClone(rendered);
  const target = copy.find((object) => object.kind === kind && object.metadata.name === name);
  if (!target) throw new Error(`${kind}/${name} is not in the render`);
  edit(target as Json);
  return copy;
}

describe('purpose-broken copies of the dev render', () => {
  it('when the Keycloak Service is missing (as prod had no such Service), then the host check names the JWKS host', () => {
    const copy = rendered.filter(
      (object) => !(object.kind === 'Service' && object.metadata.name === 'keycloak'),
    );
    const problems = hostProblems(copy);
    expect(problems).toContain(
      'RequestAuthentication/user-service: jwksUri host keycloak.platform.svc.cluster.local resolves to nothing',
    );
    expect(problems.filter((problem) => problem.startsWith('ConfigMap/')).length).toBeGreaterThan(0);
  });

  it('when a service container loses its liveness probe, then the workload check names it', () => {
    const copy = brokenCopy('Deployment', 'auth-service', (deployment) => {
      delete deployment.spec.template.spec.containers[0].livenessProbe;
    });
    expect(workloadProblems(copy)).toEqual([
      'Deployment/auth-service container auth-service: no livenessProbe',
    ]);
  });

  it('when a container may escalate privileges and keeps its capabilities, then the workload check names both', () => {
    const copy = brokenCopy('Deployment', 'user-service', (deployment) => {
      const security = deployment.spec.template.spec.containers[0].securityContext;
      delete security.allowPrivilegeEscalation;
      delete security.capabilities;
    });
    expect(workloadProblems(copy)).toEqual([
      'Deployment/user-service container user-service: allowPrivilegeEscalation is not false',
      'Deployment/user-service container user-service: does not drop all capabilities',
    ]);
  });

  it('when a principal has a typo, then the principal check names the policy and the principal', () => {
    const copy = brokenCopy('AuthorizationPolicy', 'postgres-owners', (policy) => {
      policy.spec.rules[0].from[0].source.principals[2] = 'cluster.local/ns/platform/sa/billing-servce';
    });
    expect(principalProblems(copy, externalPrincipals)).toEqual([
      'AuthorizationPolicy/postgres-owners: cluster.local/ns/platform/sa/billing-servce is no ServiceAccount',
    ]);
  });

  it("when one service's RequestAuthentication trusts another issuer, then the token check names it", () => {
    const copy = brokenCopy('RequestAuthentication', 'user-service', (authentication) => {
      authentication.spec.jwtRules[0].issuer = 'https://auth.platform.example.test/realms/other';
    });
    const expected = tokenExpectations();
    expect(tokenConsistencyProblems(copy, expected)).toEqual([
      `RequestAuthentication/user-service issuer: "https://auth.platform.example.test/realms/other", expected "${expected.issuer}"`,
    ]);
  });

  it('when a service sidecar would strip the token, then the authentication check names it', () => {
    const copy = brokenCopy('RequestAuthentication', 'billing-service', (authentication) => {
      authentication.spec.jwtRules[0].forwardOriginalToken = false;
    });
    expect(requestAuthenticationProblems(copy)).toEqual(['billing-service: the sidecar strips the token']);
  });

  it('when mTLS is relaxed to PERMISSIVE and the default deny is gone, then the mesh check names both', () => {
    const copy = brokenCopy('PeerAuthentication', 'default', (policy) => {
      policy.spec.mtls.mode = 'PERMISSIVE';
    }).filter(
      (object) => !(object.kind === 'AuthorizationPolicy' && object.metadata.name === 'default-deny'),
    );
    expect(meshBaselineProblems(copy, namespace)).toEqual([
      'namespace platform: mTLS is not STRICT',
      'PeerAuthentication/default: mode PERMISSIVE',
      'namespace platform: no default-deny AuthorizationPolicy',
    ]);
  });

  it("when an allow rule opens a path the router does not have, or drops a route's roles, then the route check names it", () => {
    const copy = brokenCopy('AuthorizationPolicy', 'billing-service-callers', (policy) => {
      policy.spec.rules[0].to[0].operation.paths = ['/billing/invoice'];
      delete policy.spec.rules[1].when;
    });
    const problems = routeProblems(copy, routesByWorkload(), String(containerPorts.http));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/: GET \/billing\/invoice is not a route of billing-service$/);
    expect(problems[1]).toMatch(/: roles \[\], the route declares \[/);
  });

  it('when a POST route retries, then the traffic check names it', () => {
    const copy = brokenCopy('VirtualService', 'billing-service', (service) => {
      service.spec.http[1].retries = { attempts: 3 };
    });
    expect(trafficProblems(copy, loadAccessMap().limits.upstreamTimeoutSeconds)).toEqual([
      'VirtualService/billing-service route not-idempotent: retries a non-idempotent method',
    ]);
  });

  it('when a field name has a typo, then strict decoding names the unknown field', () => {
    const copy = brokenCopy('Deployment', 'auth-service', (deployment) => {
      const container = deployment.spec.template.spec.containers[0];
      container.readinesProbe = container.readinessProbe;
      delete container.readinessProbe;
    });
    // YAML 1.1 quoting, as the API server's decoder reads `no` unquoted as a boolean.
    const problems = strictDecodingProblems(
      copy.map((object) => stringify(object, { version: '1.1' })).join('---\n'),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('unknown field "spec.template.spec.containers[0].readinesProbe"');
  });

  it('when an Istio enum has a typo, then the Istio schema rejects it', () => {
    const copy = brokenCopy('AuthorizationPolicy', 'redis-clients', (policy) => {
      policy.spec.action = 'ALOW';
    });
    const policy = copy.find((object) => object.metadata.name === 'redis-clients')!;
    expect(schemaProblems(policy)).toEqual([
      'AuthorizationPolicy/redis-clients: data/spec/action must be equal to one of the allowed values',
    ]);
  });

  describe("Istio's analyzers (all of them, on the render)", () => {
    const analyze = (copy: KubeObject[]) => {
      const file = join(scratch, 'broken.yaml');
      // JSON documents: YAML 1.2 leaves strings like `on` unquoted, which Go's YAML reads as booleans.
      writeFileSync(file, copy.map((object) => JSON.stringify(object)).join('\n---\n'));
      return istioAnalyzerProblems([file]);
    };
    const expectOnly = (problems: string[], code: string, origin: string) => {
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${code} \\w+ ${origin}: `));
    };

    it('when a VirtualService routes to a host that does not exist, then IST0101', () => {
      const copy = brokenCopy('VirtualService', 'auth-service', (service) => {
        service.spec.http[0].route[0].destination.host = 'auth-servce.platform.svc.cluster.local';
      });
      expectOnly(analyze(copy), 'IST0101', 'VirtualService platform/auth-service');
    });

    it('when a pod carries an unknown Istio annotation, then IST0108', () => {
      const copy = brokenCopy('Deployment', 'user-service', (deployment) => {
        deployment.spec.template.metadata.annotations['sidecar.istio.io/bogusSetting'] = 'true';
      });
      expectOnly(analyze(copy), 'IST0108', 'Pod platform/user-service');
    });

    it('when an AuthorizationPolicy selects no workload, then IST0127', () => {
      const copy = brokenCopy('AuthorizationPolicy', 'redis-clients', (policy) => {
        policy.spec.selector.matchLabels = { 'app.kubernetes.io/name': 'redis-typo' };
      });
      expectOnly(analyze(copy), 'IST0127', 'AuthorizationPolicy platform/redis-clients');
    });

    it('when a Service port has no protocol name, then IST0118', () => {
      const copy = brokenCopy('Service', 'postgres', (service) => {
        delete service.spec.ports[0].name;
        delete service.spec.ports[0].appProtocol;
      });
      expectOnly(analyze(copy), 'IST0118', 'Service platform/postgres');
    });
  });
});
