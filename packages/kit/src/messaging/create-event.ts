import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import { eventDataSchema, type EventDataV1, type EventEnvelope, type EventType } from '@platform/contracts';

/** For a known event type the payload must match its contract; other types are unchecked. */
export type EventDataFor<K extends string> = K extends EventType ? EventDataV1[K] : unknown;

export interface NewEvent<K extends string, T> {
  type: K;
  version: number;
  subject: string;
  data: T;
}

/**
 * Builds an envelope for an event that happens now, carrying the active span's trace context
 * so the consumer's work joins the trace of the request that caused it. A payload that breaks
 * its contract throws here, before it can be committed to the outbox.
 */
export function createEvent<K extends string, T extends EventDataFor<K>>(
  event: NewEvent<K, T>,
): EventEnvelope<T> {
  eventDataSchema(event.type, event.version)?.parse(event.data);
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const { traceparent, tracestate } = carrier;
  return {
    id: randomUUID(),
    type: event.type,
    version: event.version,
    occurredAt: new Date().toISOString(),
    subject: event.subject,
    data: event.data,
    ...(traceparent ? { traceContext: { traceparent, ...(tracestate ? { tracestate } : {}) } } : {}),
  };
}
