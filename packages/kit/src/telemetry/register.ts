// Loaded with `node --import @platform/kit/telemetry` so tracing is in place before the app imports
// express, pg, amqplib and pino. Tracing is on exactly when OTEL_EXPORTER_OTLP_ENDPOINT is set; every
// other setting comes from the standard OTEL_* variables (OTEL_SERVICE_NAME names the service).
import { register } from 'node:module';
import { setTelemetryShutdown } from './telemetry-shutdown.js';

export { shutdownTelemetry } from './telemetry-shutdown.js';

const probePaths = new Set(['/healthz', '/readyz', '/metrics']);

if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  // ESM imports bypass the require hooks instrumentations rely on; this loader hook lets them patch
  // modules the app imports. It must be registered before those imports, hence here.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

  // Imported only when tracing is on, so a service without it does not pay for loading the SDK.
  const [{ NodeSDK }, { OTLPTraceExporter }, http, undici, express, pg, amqplib, pino] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-amqplib'),
    import('@opentelemetry/instrumentation-pino'),
  ]);

  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME,
    traceExporter: new OTLPTraceExporter(),
    // Traces only: metrics are scraped from /metrics and logs are read from stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new http.HttpInstrumentation({
        // Probes and scrapes every few seconds would bury the real traffic.
        ignoreIncomingRequestHook: (req) => probePaths.has((req.url ?? '').split('?')[0] ?? ''),
        requireParentforOutgoingSpans: true,
      }),
      // fetch(): Keycloak's Admin API and token endpoint, billing's calls to the user service (which
      // then continue the caller's trace). Only inside a trace: readiness checks fetch the JWKS too.
      new undici.UndiciInstrumentation({ requireParentforSpans: true }),
      // One span per route handler; a span for every middleware (helmet, body parser…) is noise.
      new express.ExpressInstrumentation({ ignoreLayersType: [express.ExpressLayerType.MIDDLEWARE] }),
      // Queries outside any request or message (the outbox relay's polling, readiness checks) would
      // each start a one-span trace several times a second.
      new pg.PgInstrumentation({ requireParentSpan: true }),
      new amqplib.AmqplibInstrumentation(),
      // Log correlation only (the logger's mixin does the same); logs are not sent over OTLP.
      new pino.PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  setTelemetryShutdown(() => sdk.shutdown());
}
