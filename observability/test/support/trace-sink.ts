import type { SinkSpan } from '@platform/dev/trace-sink/span-store';
import { traceSinkUrl } from '@platform/dev/stack/trace-sink';
import { randomUUID } from 'node:crypto';
import { eventually } from '@platform/test-support/eventually';
import { edgeUrl, freshLoopbackAddress, send } from '@platform/test-support/edge';
import { environment } from '@platform/test-support/stack';

export type { SinkSpan };

const sinkUrl = traceSinkUrl(environment);

/** What the collector has forwarded of one trace so far (none yet: an empty list). */
export async function spansOf(traceId: string): Promise<SinkSpan[]> {
  const response = await fetch(`${sinkUrl}/traces/${traceId}`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`trace sink answered ${response.status}`);
  return ((await response.json()) as { spans: SinkSpan[] }).spans;
}

/** A W3C traceparent for a new, sampled trace the test owns, and its ids. */
export function newTraceParent(): { traceId: string; spanId: string; header: string } {
  const hex = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

/**
 * A sign-up through the edge carrying a trace context of the test's own: the new person's id. The
 * auth service publishes user.registered, so the trace goes on through the broker to the consumers.
 */
export async function signUpInTrace(parent: { header: string }, label: string): Promise<{ id: string }> {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.test`;
  const response = await send(`${edgeUrl}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: parent.header },
    body: JSON.stringify({ email, password: 'Trace-Password-42', firstName: 'Trace', lastName: 'Test' }),
    // A public route is rate-limited per client address: a fresh one keeps other tests' sign-ups out.
    sourceAddress: freshLoopbackAddress(),
  });
  if (response.status !== 201) throw new Error(`the sign-up answered ${response.status}: ${response.text}`);
  return { id: String(response.json().id) };
}

/**
 * The spans of a trace once `complete` finds in them every span a test needs. The services batch
 * their spans for up to 5 s, the edge too; the collector adds 200 ms.
 */
export function completeTrace(
  traceId: string,
  complete: (spans: SinkSpan[]) => unknown,
  timeoutMs = 30_000,
): Promise<SinkSpan[]> {
  return eventually(
    async () => {
      const trace = await spansOf(traceId);
      return complete(trace) ? trace : undefined;
    },
    { timeoutMs, intervalMs: 500, what: `the complete trace ${traceId} in the trace sink` },
  );
}
