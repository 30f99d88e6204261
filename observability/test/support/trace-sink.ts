import type { SinkSpan } from '@platform/dev/trace-sink/span-store';
import { traceSinkUrl } from '@platform/dev/stack/trace-sink';
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
