import { join } from 'node:path';
import { type Environment, localOnly, repoRoot } from '@platform/platform/environment';
import { logFile, pidFile } from './paths.js';
import { httpOk, isAlive, readPid, startDetached, stopPidFile, waitFor } from './processes.js';

const pid = pidFile('trace-sink');
const log = logFile('trace-sink');

export function traceSinkPid(): number | undefined {
  return readPid(pid);
}

export const traceSinkUrl = (env: Environment) =>
  `http://${env.otelCollector.host}:${localOnly(env.traceSink, 'traceSink', env).httpPort}`;

/** The development trace sink (dev/trace-sink): the local collector forwards every span to it. */
export async function startTraceSink(env: Environment): Promise<string> {
  const health = `${traceSinkUrl(env)}/healthz`;
  if (isAlive(traceSinkPid())) {
    await waitFor('trace sink health', () => httpOk(health), { timeoutMs: 10_000, log });
    return `running on ${traceSinkUrl(env)}`;
  }
  const child = startDetached(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join('dev', 'trace-sink', 'main.ts')],
    {
      log,
      pidFile: pid,
      cwd: repoRoot,
    },
  );
  await waitFor('trace sink health', () => httpOk(health), {
    timeoutMs: 20_000,
    intervalMs: 200,
    log,
    alive: () => isAlive(child),
  });
  return `started on ${traceSinkUrl(env)}`;
}

export function stopTraceSink(): Promise<boolean> {
  return stopPidFile(pid);
}
