// Loaded with `node --import @platform/kit/telemetry` so tracing is in place before the app imports
// http, pg and amqplib. Tracing is on exactly when OTEL_EXPORTER_OTLP_ENDPOINT is set; every
// other setting comes from the standard OTEL_* variables: OTEL_SERVICE_NAME names the service, and
// OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG choose how many traces are kept (the SDK's default,
// parentbased_always_on, keeps every one; README.md says what that costs).
import { register } from 'node:module';
import { setTelemetryShutdown } from './telemetry-shutdown.js';

export { shutdownTelemetry } from './telemetry-shutdown.js';

if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  // ESM imports bypass the require hooks instrumentations rely on; this loader hook lets them patch
  // modules the app imports. It must be registered before those imports, hence here.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

  // Imported only when tracing is on, so a service without it does not pay for loading the SDK.
  const [{ NodeSDK }, { OTLPTraceExporter }, http, undici, pg, amqplib] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-amqplib'),
  ]);

  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME,
    traceExporter: new OTLPTraceExporter(),
    // Traces only: metrics are scraped from /metrics and logs are read from stdout.
    metricReaders: [],
    logRecordProcessors: [],
    // No Express instrumentation: it wraps every layer of every request and cost a third of the
    // kit's throughput (npm run bench). No HTTP instrumentation of incoming requests either: the
    // kit's app makes the server span itself (http/server-span.ts), for half of what that cost.
    // No pino instrumentation: the kit's logger adds the trace ids itself.
    instrumentations: [
      // Outgoing node:http calls of a library, inside a trace (fetch() is undici's, below).
      new http.HttpInstrumentation({
        disableIncomingRequestInstrumentation: true,
        requireParentforOutgoingSpans: true,
      }),
      // fetch(): Keycloak's Admin API and token endpoint, billing's calls to the user service (which
      // then continue the caller's trace). Only inside a trace: readiness checks fetch the JWKS too.
      new undici.UndiciInstrumentation({ requireParentforSpans: true }),
      // Queries outside any request or message (the outbox relay's polling, readiness checks) would
      // each start a one-span trace several times a second.
      // A span per pool checkout doubles the spans of every read and says nothing the query's does not.
      new pg.PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new amqplib.AmqplibInstrumentation(),
    ],
  });
  sdk.start();
  setTelemetryShutdown(() => sdk.shutdown());
}
