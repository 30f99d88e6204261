import { trace } from '@opentelemetry/api';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventEnvelopeSchema } from '@platform/contracts';
import { createEvent } from '../../src/messaging/create-event.js';

describe('createEvent', () => {
  // The real SDK, so that "active span" and W3C propagation are what a service has at runtime.
  const sdk = new NodeSDK({
    spanProcessors: [new tracing.SimpleSpanProcessor(new tracing.InMemorySpanExporter())],
    instrumentations: [],
  });

  beforeAll(() => sdk.start());
  afterAll(() => sdk.shutdown());

  it('when a span is active, then the envelope carries its trace context', () => {
    const { envelope, traceId, spanId } = trace.getTracer('kit-test').startActiveSpan('request', (span) => {
      const created = createEvent({
        type: 'user.registered',
        version: 1,
        subject: 'user-1',
        data: { userId: 'user-1', email: 'ada@example.com' },
      });
      span.end();
      return { envelope: created, ...span.spanContext() };
    });

    expect(envelope.traceContext).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
    expect(eventEnvelopeSchema.parse(envelope)).toEqual(envelope);
    expect(envelope).toMatchObject({
      type: 'user.registered',
      version: 1,
      subject: 'user-1',
      data: { userId: 'user-1', email: 'ada@example.com' },
    });
  });

  it('when no span is active, then the envelope has no trace context', () => {
    const envelope = createEvent({
      type: 'user.deleted',
      version: 1,
      subject: 'user-1',
      data: { userId: 'user-1' },
    });

    expect('traceContext' in envelope).toBe(false);
  });

  it('when the payload breaks its contract, then no envelope is created', () => {
    expect(() =>
      createEvent({
        type: 'invoice.paid',
        version: 1,
        subject: 'invoice-1',
        data: { invoiceId: 'invoice-1', accountId: 'account-1', amountMinor: 12.5, currency: 'EUR' },
      }),
    ).toThrow('Invalid input: expected int, received number');
  });
});
