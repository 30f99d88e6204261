/** Runs the development SMTP sink on the addresses of the local environment until SIGTERM. */
import { loadEnvironment } from '@platform/platform/environment';
import { smtpSinkAddress } from './sink-address.js';
import { startSmtpSink } from './sink-server.js';

const address = smtpSinkAddress(loadEnvironment());
const sink = await startSmtpSink(address);
console.log(
  `smtp sink (development only): SMTP ${address.host}:${address.smtpPort}, HTTP ${address.host}:${address.httpPort}`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    sink.close().finally(() => process.exit(0));
  });
}
