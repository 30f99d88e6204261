import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Environment } from '@platform/platform/environment';
import { dataDir, logFile, pidFile } from './paths.js';
import { isAlive, readPid, runOrFail, stopPidFile } from './processes.js';

const pid = pidFile('redis');

export function redisPid(): number | undefined {
  return readPid(pid);
}

/**
 * Starts the stack's Redis on its local address and, with the local mesh, on the bridge's address
 * too (`alsoOn`); a running one that does not answer there yet restarts (it is a cache only).
 */
export async function startRedis(env: Environment, alsoOn?: string): Promise<string> {
  const hosts = [env.redis.host, ...(alsoOn ? [alsoOn] : [])];
  const where = hosts.map((host) => `${host}:${env.redis.port}`).join(', ');
  let restarted = '';
  if (isAlive(redisPid())) {
    if (!alsoOn || (await answersPing(alsoOn, env.redis.port))) return `running on ${where}`;
    await stopRedis();
    restarted = 'restarted to listen on the mesh bridge too, ';
  }
  await launchRedis({
    host: hosts.join(' '),
    port: env.redis.port,
    dir: join(dataDir, 'redis'),
    pidFile: pid,
    log: logFile('redis'),
    // Redis answers only loopback clients unless told otherwise; the pods come over the bridge,
    // which is private to this machine.
    protectedMode: !alsoOn,
  });
  return `${restarted}started on ${where}`;
}

/** Whether Redis answers PING from this address (a protected-mode server refuses it off loopback). */
function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

export function stopRedis(): Promise<boolean> {
  return stopPidFile(pid);
}

/** A Redis server in the background, as a cache only: nothing is persisted, so a restart starts empty. */
export async function launchRedis(options: {
  /** One address, or several separated by spaces. */
  host: string;
  port: number;
  dir: string;
  pidFile: string;
  log: string;
  /** Redis's protected mode (loopback clients only without a password); on unless turned off. */
  protectedMode?: boolean;
}): Promise<void> {
  mkdirSync(options.dir, { recursive: true });
  await runOrFail('redis-server', [
    ...['--daemonize', 'yes', '--bind', ...options.host.split(' '), '--port', String(options.port)],
    ...['--save', '', '--appendonly', 'no', '--dir', options.dir],
    ...['--pidfile', options.pidFile, '--logfile', options.log],
    ...['--protected-mode', options.protectedMode === false ? 'no' : 'yes'],
  ]);
}
