import { join } from 'node:path';
import { type Environment, localOnly } from '@platform/platform/environment';
import { pidFile } from './paths.js';
import { readPid, startNodeScript, stopPidFile } from './processes.js';

const name = 'trace-sink';

export function traceSinkPid(): number | undefined {
  return readPid(pidFile(name));
}

export const traceSinkUrl = (env: Environment) =>
  `http://${env.otelCollector.host}:${localOnly(env.traceSink, 'traceSink', env).httpPort}`;

/** The development trace sink (dev/trace-sink): the local collector forwards every span to it. */
export async function startTraceSink(env: Environment): Promise<string> {
  const entry = join('dev', 'trace-sink', 'main.ts');
  const outcome = await startNodeScript({ name, entry, healthUrl: `${traceSinkUrl(env)}/healthz` });
  return `${outcome} on ${traceSinkUrl(env)}`;
}

export function stopTraceSink(): Promise<boolean> {
  return stopPidFile(pidFile(name));
}
