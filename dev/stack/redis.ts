import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '@platform/platform/environment';
import { dataDir, logFile, pidFile } from './paths.js';
import { isAlive, readPid, runOrFail, stopPidFile } from './processes.js';

const pid = pidFile('redis');

export function redisPid(): number | undefined {
  return readPid(pid);
}

export async function startRedis(env: Environment): Promise<string> {
  if (isAlive(redisPid())) return `running on ${env.redis.host}:${env.redis.port}`;
  await launchRedis({ ...env.redis, dir: join(dataDir, 'redis'), pidFile: pid, log: logFile('redis') });
  return `started on ${env.redis.host}:${env.redis.port}`;
}

export function stopRedis(): Promise<boolean> {
  return stopPidFile(pid);
}

/** A Redis server in the background, as a cache only: nothing is persisted, so a restart starts empty. */
export async function launchRedis(options: {
  host: string;
  port: number;
  dir: string;
  pidFile: string;
  log: string;
}): Promise<void> {
  mkdirSync(options.dir, { recursive: true });
  await runOrFail('redis-server', [
    ...['--daemonize', 'yes', '--bind', options.host, '--port', String(options.port)],
    ...['--save', '', '--appendonly', 'no', '--dir', options.dir],
    ...['--pidfile', options.pidFile, '--logfile', options.log],
  ]);
}
