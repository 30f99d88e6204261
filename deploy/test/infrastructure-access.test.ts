/**
 * The in-cluster infrastructure a service's configuration points at (PostgreSQL, RabbitMQ, Redis)
 * admits that service's identity in the mesh: a URL in a ConfigMap or Secret that the default deny
 * would refuse is a service that starts but never becomes ready. Checked on the dev overlay, the one
 * that runs the infrastructure (prod points at managed services outside the mesh).
 */
import type { IAuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';
import type { IService } from 'kubernetes-models/v1/Service';
import { beforeAll, describe, expect, it } from 'vitest';
import { environmentOf, serviceWorkloads, workloadsOf, type Workload } from '../checks.js';
import { renderOverlay, tool, type KubeObject } from '../manifests.js';

const infrastructureSchemes = ['postgres:', 'postgresql:', 'amqp:', 'amqps:', 'redis:', 'rediss:'];

beforeAll(() => {
  tool('kustomize');
}, 30 * 60_000);

describe('the dev overlay', () => {
  let objects: KubeObject[] = [];
  beforeAll(() => {
    objects = renderOverlay('dev').objects;
  });

  it('when a service is configured with the in-cluster PostgreSQL, RabbitMQ or Redis, then their AuthorizationPolicy admits it on that port', () => {
    const reached = infrastructureReached(objects);
    expect(reached.map(({ service, variable }) => `${service} ${variable}`).sort()).toEqual(
      ['auth', 'user', 'billing']
        .flatMap((service) =>
          ['AMQP_URL', 'DATABASE_URL', 'REDIS_URL'].map((name) => `${service}-service ${name}`),
        )
        .sort(),
    );
    expect(accessProblems(objects, reached)).toEqual([]);
  });

  it('when a service is dropped from the Redis policy, then the check names it', () => {
    const broken = structuredClone(objects);
    const policy = broken.find(
      (object) => object.kind === 'AuthorizationPolicy' && object.metadata.name === 'redis-clients',
    ) as unknown as IAuthorizationPolicy;
    const [rule] = policy.spec!.rules!;
    rule!.from![0]!.source!.principals = rule!.from![0]!.source!.principals!.filter(
      (principal) => !principal.endsWith('/sa/user-service'),
    );
    expect(accessProblems(broken, infrastructureReached(broken))).toEqual([
      'user-service REDIS_URL: no AuthorizationPolicy admits cluster.local/ns/platform/sa/user-service to redis:6379',
    ]);
  });
});

interface Reach {
  service: string;
  serviceAccount: string;
  variable: string;
  /** The Kubernetes Service the URL names and the port it uses. */
  target: string;
  port: number;
}

/** Every infrastructure URL in the services' environments, with the identity that uses it. */
function infrastructureReached(objects: KubeObject[]): Reach[] {
  const reached: Reach[] = [];
  for (const workload of serviceWorkloads(objects)) {
    const env = environmentOf(objects, workload.pod.containers[0]!);
    for (const [variable, value] of Object.entries(env)) {
      if (!URL.canParse(value)) continue;
      const url = new URL(value);
      const host = /^([a-z0-9-]+)\.[a-z0-9-]+\.svc\.cluster\.local$/.exec(url.hostname);
      if (!infrastructureSchemes.includes(url.protocol) || !host) continue;
      reached.push({
        service: workload.name,
        serviceAccount: workload.pod.serviceAccountName ?? 'default',
        variable,
        target: host[1]!,
        port: Number(url.port),
      });
    }
  }
  return reached;
}

function accessProblems(objects: KubeObject[], reached: readonly Reach[]): string[] {
  const problems: string[] = [];
  for (const reach of reached) {
    const principal = `cluster.local/ns/platform/sa/${reach.serviceAccount}`;
    const service = objects.find(
      (object) => object.kind === 'Service' && object.metadata.name === reach.target,
    ) as (IService & KubeObject) | undefined;
    const backends = workloadsOf(objects).filter((workload) =>
      selects(service?.spec?.selector, workload.labels),
    );
    const ports = backends.map((workload) => containerPortOf(workload, service, reach.port));
    const admitted = (objects as unknown as (IAuthorizationPolicy & KubeObject)[])
      .filter(
        (object) => object.kind === 'AuthorizationPolicy' && (object.spec?.action ?? 'ALLOW') === 'ALLOW',
      )
      .filter((policy) =>
        backends.some((workload) => selects(policy.spec?.selector?.matchLabels, workload.labels)),
      )
      .some((policy) =>
        (policy.spec?.rules ?? []).some(
          (rule) =>
            (rule.from ?? []).some((from) => (from.source?.principals ?? []).includes(principal)) &&
            (rule.to ?? []).some((to) =>
              ports.some((port) => (to.operation?.ports ?? []).includes(String(port))),
            ),
        ),
      );
    if (!admitted) {
      problems.push(
        `${reach.service} ${reach.variable}: no AuthorizationPolicy admits ${principal} to ${reach.target}:${reach.port}`,
      );
    }
  }
  return problems;
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined && Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The container port a Service port leads to (policies name container ports). */
function containerPortOf(workload: Workload, service: IService | undefined, servicePort: number): number {
  const port = service?.spec?.ports?.find((candidate) => candidate.port === servicePort);
  const target = port?.targetPort ?? servicePort;
  if (typeof target === 'number') return target;
  const named = workload.pod.containers
    .flatMap((container) => container.ports ?? [])
    .find((candidate) => candidate.name === target);
  return named?.containerPort ?? servicePort;
}
