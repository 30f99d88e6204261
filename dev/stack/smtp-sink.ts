import { join } from 'node:path';
import type { Environment } from '@platform/platform/environment';
import { smtpSinkAddress } from '../smtp-sink/sink-address.js';
import { pidFile } from './paths.js';
import { readPid, startNodeScript, stopPidFile } from './processes.js';

const name = 'smtp-sink';

export function smtpSinkPid(): number | undefined {
  return readPid(pidFile(name));
}

/** The development SMTP sink (dev/smtp-sink): Keycloak's mail goes there instead of to anyone. */
export async function startSmtpSink(env: Environment): Promise<string> {
  const { host, smtpPort, httpPort } = smtpSinkAddress(env);
  const entry = join('dev', 'smtp-sink', 'main.ts');
  const outcome = await startNodeScript({ name, entry, healthUrl: `http://${host}:${httpPort}/healthz` });
  return `${outcome} (SMTP ${host}:${smtpPort}, HTTP ${host}:${httpPort})`;
}

export function stopSmtpSink(): Promise<boolean> {
  return stopPidFile(pidFile(name));
}
