/** Runs the development trace sink on the local environment's address until SIGTERM. */
import { loadEnvironment, localOnly } from '@platform/platform/environment';
import { startTraceSink } from './sink-server.js';

const env = loadEnvironment();
const address = {
  host: env.otelCollector.host,
  httpPort: localOnly(env.traceSink, 'traceSink', env).httpPort,
};
const sink = await startTraceSink(address);
console.log(
  `trace sink (development only): OTLP/JSON and traces on http://${address.host}:${address.httpPort}`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    sink.close().finally(() => process.exit(0));
  });
}
