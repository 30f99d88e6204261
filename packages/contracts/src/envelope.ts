import { z } from 'zod';

/** W3C trace context carried with an event so a consumer's span continues the producer's trace. */
export interface TraceContext {
  traceparent?: string;
  tracestate?: string;
}

/**
 * What travels on the wire for every domain event. `version` is the version of `data`'s schema
 * for this `type`, so a consumer can tell a payload it knows from one it does not.
 */
export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  subject: string;
  data: T;
  traceContext?: TraceContext;
}

export const traceContextSchema = z.object({
  traceparent: z.string().min(1).optional(),
  tracestate: z.string().optional(),
});

/** The envelope alone; `data` is checked separately against the schema for its type and version. */
export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  subject: z.string().min(1),
  data: z.unknown(),
  traceContext: traceContextSchema.optional(),
});

/** Parses untrusted input into an envelope whose `data` is still unchecked. */
export function parseEventEnvelope(input: unknown): EventEnvelope {
  return eventEnvelopeSchema.parse(input) as EventEnvelope;
}
