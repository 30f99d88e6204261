/**
 * Observability survives the mesh: one caller's trace stays one trace across the sidecars (a
 * sign-up: the edge → the auth service's sidecar → the service; a new person reading their billing
 * account: billing's profile lookup → its sidecar → the user service's sidecar → the user service),
 * and Prometheus scrapes the services'
 * management ports through the sidecars with its own identity, as mesh/observability-authorization.yaml
 * admits it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceNames } from '@platform/platform/environment';
import {
  containerPorts,
  edgeIdentity,
  prometheusIdentity,
  serviceIdentity,
} from '@platform/platform/topology';
import { eventually } from '@platform/test-support/eventually';
import { edgeUrl, send } from '@platform/test-support/edge';
import { createTestUser, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { environment } from '@platform/test-support/stack';
import {
  completeTrace,
  newTraceParent,
  signUpInTrace,
  type SinkSpan,
} from '../../observability/test/support/trace-sink.js';
import { certificateOf, isRefusal, meshCall, meshOfStack, sidecarOf } from './support/mesh-client.js';

const prometheus = `http://${environment.prometheus.host}:${environment.prometheus.port}`;

describe('one trace across the sidecars', () => {
  const parent = newTraceParent();
  let created: { id: string } | undefined;
  let reader: TestUser | undefined;
  let spans: SinkSpan[] = [];

  /** The spans the test needs; undefined while any is missing. */
  function chainOf(trace: SinkSpan[]) {
    const edgeSpans = trace.filter((span) => span.service === 'edge' && span.parentSpanId === parent.spanId);
    const signUp = trace.find(
      (span) =>
        span.service === 'auth-service' &&
        span.kind === 'server' &&
        edgeSpans.some((edge) => edge.spanId === span.parentSpanId),
    );
    const edge = edgeSpans.find((span) => span.spanId === signUp?.parentSpanId);
    const lookup = trace.find(
      (span) =>
        span.service === 'user-service' && span.kind === 'server' && span.name.includes('/internal/users/'),
    );
    const caller = trace.find((span) => span.spanId === lookup?.parentSpanId);
    if (!edge || !signUp || !lookup || !caller) return undefined;
    return { edge, signUp, lookup, caller };
  }

  beforeAll(async () => {
    meshOfStack();
    created = await signUpInTrace(parent, 'mesh-trace');
    // Billing asks the user service for a profile it has not cached yet: a person new to it.
    reader = await createTestUser('mesh-trace-reader');
    const token = await reader.token();
    await eventually(
      async () => {
        const response = await send(`${edgeUrl}/api/v1/billing/accounts/me`, {
          headers: { authorization: `Bearer ${token}`, traceparent: parent.header },
        });
        return response.status === 200 ? response : undefined;
      },
      { timeoutMs: 15_000, what: 'the new reader’s billing account through the edge' },
    );
    spans = await completeTrace(parent.traceId, chainOf, 40_000);
  }, 60_000);

  afterAll(async () => {
    await deleteTestUsers([created, reader]);
  });

  it('when the edge reaches the auth service through its sidecar, then the service’s span is the edge span’s child', () => {
    const { signUp } = chainOf(spans)!;
    expect(signUp.name).toBe('POST /auth/signup');
  });

  it('when billing looks a new person up through both sidecars, then the user service’s span is a child of billing’s call', () => {
    const { lookup, caller } = chainOf(spans)!;
    expect(caller.service).toBe('billing-service');
    expect(caller.kind).toBe('client');
    expect(lookup.traceId).toBe(parent.traceId);
  });

  it('when the whole chain is read, then every span shares the caller’s trace id', () => {
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([parent.traceId]));
  });
});

describe('Prometheus through the mesh', () => {
  beforeAll(() => {
    meshOfStack();
  });

  it.each(serviceNames)(
    'when Prometheus scrapes the %s service’s management port, then it goes to the pod’s sidecar in mutual TLS and is up',
    async (service) => {
      const { pods } = meshOfStack();
      const target = await eventually(
        async () => {
          const response = await fetch(`${prometheus}/api/v1/targets?state=active`);
          const { data } = (await response.json()) as {
            data: { activeTargets: { labels: Record<string, string>; scrapeUrl: string; health: string }[] };
          };
          const found = data.activeTargets.find((t) => t.labels.service === `${service}-service`);
          return found?.health === 'up' ? found : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 1000, what: `Prometheus's ${service} target to be up` },
      );
      expect(target.scrapeUrl).toBe(`https://${pods[service]}:${containerPorts.management}/metrics`);
    },
  );

  it('when the same scrape comes from Prometheus’s identity, then 200 with metrics; from the edge’s identity, then 403', async () => {
    const scrape = (identity: typeof edgeIdentity) =>
      meshCall(sidecarOf('user', 'management'), '/metrics', {
        certificate: certificateOf(identity),
        peer: serviceIdentity('user'),
      });
    const allowed = await scrape(prometheusIdentity);
    const refused = await scrape(edgeIdentity);
    if (isRefusal(allowed) || isRefusal(refused)) throw new Error('the sidecar refused the connection');
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('http_request_duration_seconds');
    expect(refused.status).toBe(403);
  });
});
