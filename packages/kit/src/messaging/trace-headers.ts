import type { MessagePropertyHeaders } from 'amqplib';
import type { TraceContext } from '@platform/contracts';

/** W3C trace context as AMQP headers, the names OpenTelemetry's amqplib propagation also reads. */
export function traceHeaders(traceContext: TraceContext | undefined): MessagePropertyHeaders {
  const headers: MessagePropertyHeaders = {};
  if (traceContext?.traceparent) headers.traceparent = traceContext.traceparent;
  if (traceContext?.tracestate) headers.tracestate = traceContext.tracestate;
  return headers;
}
