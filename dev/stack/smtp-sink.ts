import { join } from 'node:path';
import { type Environment, repoRoot } from '@platform/platform/environment';
import { smtpSinkAddress } from '../smtp-sink/sink-address.js';
import { logFile, pidFile } from './paths.js';
import { httpOk, isAlive, readPid, startDetached, stopPidFile, waitFor } from './processes.js';

const pid = pidFile('smtp-sink');
const log = logFile('smtp-sink');

export function smtpSinkPid(): number | undefined {
  return readPid(pid);
}

/** The development SMTP sink (dev/smtp-sink): Keycloak's mail goes there instead of to anyone. */
export async function startSmtpSink(env: Environment): Promise<string> {
  const { host, smtpPort, httpPort } = smtpSinkAddress(env);
  const where = `SMTP ${host}:${smtpPort}, HTTP ${host}:${httpPort}`;
  const health = `http://${host}:${httpPort}/healthz`;
  if (isAlive(smtpSinkPid())) {
    await waitFor('smtp sink health', () => httpOk(health), { timeoutMs: 10_000, log });
    return `running (${where})`;
  }
  const child = startDetached(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join('dev', 'smtp-sink', 'main.ts')],
    {
      log,
      pidFile: pid,
      cwd: repoRoot,
    },
  );
  await waitFor('smtp sink health', () => httpOk(health), {
    timeoutMs: 20_000,
    intervalMs: 200,
    log,
    alive: () => isAlive(child),
  });
  return `started (${where})`;
}

export function stopSmtpSink(): Promise<boolean> {
  return stopPidFile(pid);
}
