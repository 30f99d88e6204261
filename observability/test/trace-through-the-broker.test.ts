/**
 * One sign-up through the edge is one trace: the edge's span, the auth service's request, the
 * publish of user.registered from the outbox, and the user and billing services consuming it,
 * all found in what the real OpenTelemetry Collector forwarded (to the stack's trace sink).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTestUsers } from '@platform/test-support/keycloak-users';
import { completeTrace, newTraceParent, signUpInTrace, type SinkSpan } from './support/trace-sink.js';

const parent = newTraceParent();
let created: { id: string } | undefined;
let spans: SinkSpan[] = [];

/** The spans the test expects once the trace is complete; undefined while any is missing. */
function chainOf(trace: SinkSpan[]) {
  const edge = trace.find((span) => span.service === 'edge' && span.parentSpanId === parent.spanId);
  const request = trace.find(
    (span) => span.service === 'auth-service' && span.kind === 'server' && span.parentSpanId === edge?.spanId,
  );
  const publish = trace.find(
    (span) =>
      span.service === 'auth-service' &&
      span.kind === 'producer' &&
      span.attributes['messaging.rabbitmq.routing_key'] === 'user.registered',
  );
  const consumers = trace.filter((span) => span.kind === 'consumer' && span.parentSpanId === publish?.spanId);
  const userConsumer = consumers.find((span) => span.service === 'user-service');
  const billingConsumer = consumers.find((span) => span.service === 'billing-service');
  if (!edge || !request || !publish || !userConsumer || !billingConsumer) return undefined;
  return { edge, request, publish, userConsumer, billingConsumer };
}

function ancestorsOf(span: SinkSpan, trace: SinkSpan[]): SinkSpan[] {
  const byId = new Map(trace.map((candidate) => [candidate.spanId, candidate]));
  const chain: SinkSpan[] = [];
  for (let next = byId.get(span.parentSpanId ?? ''); next; next = byId.get(next.parentSpanId ?? ''))
    chain.push(next);
  return chain;
}

describe('one trace from the edge through RabbitMQ', () => {
  beforeAll(async () => {
    created = await signUpInTrace(parent, 'trace');
    spans = await completeTrace(parent.traceId, chainOf);
  }, 60_000);

  afterAll(async () => {
    await deleteTestUsers([created]);
  });

  it('when a sign-up enters through the edge, then the edge span continues the caller’s trace', () => {
    const { edge } = chainOf(spans)!;
    expect(edge.kind).toBe('server');
    expect(edge.traceId).toBe(parent.traceId);
  });

  it('when the edge forwards the sign-up, then the auth service’s request span is the edge span’s child', () => {
    const { request } = chainOf(spans)!;
    expect(request.name).toBe('POST /auth/signup');
    expect(request.attributes['http.response.status_code'] ?? request.attributes['http.status_code']).toBe(
      201,
    );
  });

  it('when the outbox relay publishes user.registered later, then the publish belongs to the sign-up request', () => {
    const { publish, request } = chainOf(spans)!;
    expect(ancestorsOf(publish, spans).map((span) => span.spanId)).toContain(request.spanId);
    expect(publish.attributes['messaging.destination']).toBe('platform.events');
  });

  it('when user and billing consume the event, then both consume spans are children of the publish', () => {
    const { userConsumer, billingConsumer } = chainOf(spans)!;
    expect(userConsumer.name).toMatch(/process$/);
    expect(billingConsumer.name).toMatch(/process$/);
  });

  it('when billing applies the event, then its database work is inside its consume span', () => {
    const { billingConsumer } = chainOf(spans)!;
    const billingQueries = spans.filter(
      (span) =>
        span.service === 'billing-service' &&
        span.name.startsWith('pg.query:INSERT') &&
        ancestorsOf(span, spans).some((ancestor) => ancestor.spanId === billingConsumer.spanId),
    );
    expect(billingQueries.length).toBeGreaterThan(0);
  });

  it('when the whole chain is read, then every span of it shares the one trace id', () => {
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([parent.traceId]));
  });
});
