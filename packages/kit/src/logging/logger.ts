import { isSpanContextValid, trace } from '@opentelemetry/api';
import {
  destination as fileDestination,
  pino,
  type DestinationStream,
  type Logger as PinoLogger,
} from 'pino';
import type { LogLevel } from '../config/service-config.js';

export type Logger = PinoLogger;

export interface LoggerOptions {
  readonly name: string;
  readonly level: LogLevel;
  /** Defaults to stdout; tests pass a stream to read the lines back. */
  readonly destination?: DestinationStream;
}

/** JSON lines on stdout (asynchronous writes), carrying the trace of the active span so logs and traces join up. */
export function createLogger({ name, level, destination }: LoggerOptions): Logger {
  return pino(
    {
      name,
      level,
      mixin: activeTraceFields,
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      // A second line of defence: the HTTP log serializers already leave headers out.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'],
        censor: '[redacted]',
      },
    },
    // Written asynchronously: lines logged while a write is in flight go out together, instead of
    // one blocking write per request line. pino flushes what is pending when the process exits.
    destination ?? fileDestination({ dest: 1, sync: false }),
  );
}

function activeTraceFields(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
