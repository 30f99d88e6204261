import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../environment.js';
import { dataDir, logFile, pidFile } from './paths.js';
import { isAlive, readPid, runOrFail, stopPidFile } from './processes.js';

const pid = pidFile('redis');

export function redisPid(): number | undefined {
  return readPid(pid);
}

export async function startRedis(env: Environment): Promise<string> {
  if (isAlive(redisPid())) return `running on ${env.redis.host}:${env.redis.port}`;
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  // A cache only: nothing is persisted, so a restart starts empty.
  await runOrFail('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    env.redis.host,
    '--port',
    String(env.redis.port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--pidfile',
    pid,
    '--logfile',
    logFile('redis'),
  ]);
  return `started on ${env.redis.host}:${env.redis.port}`;
}

export function stopRedis(): Promise<boolean> {
  return stopPidFile(pid);
}
