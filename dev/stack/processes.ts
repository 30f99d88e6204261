import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '@platform/platform/environment';
import { logFile, pidFile } from './paths.js';

/** A step failure that names its cause and where to look. */
export class StepError extends Error {
  constructor(
    message: string,
    readonly log?: string,
  ) {
    super(message);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Like run(), but a non-zero exit is a StepError carrying the command's own words. */
export async function runOrFail(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const output = (result.stderr || result.stdout).trim().split('\n').slice(-5).join(' | ');
    throw new StepError(`${command} ${args.join(' ')} exited with ${result.code}: ${output}`);
  }
  return result.stdout;
}

/** Starts a long-running process detached from this one, its output appended to a log file. */
export function startDetached(
  command: string,
  args: string[],
  options: { log: string; pidFile?: string; env?: NodeJS.ProcessEnv; cwd?: string },
): number {
  mkdirSync(dirname(options.log), { recursive: true });
  const out = openSync(options.log, 'a');
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  child.unref();
  if (!child.pid) throw new StepError(`could not start ${command}`, options.log);
  if (options.pidFile) {
    mkdirSync(dirname(options.pidFile), { recursive: true });
    writeFileSync(options.pidFile, `${child.pid}\n`);
  }
  return child.pid;
}

/** A long-running TypeScript program of this repository (a development stand-in), run from source. */
export interface NodeScript {
  /** Names its pid file, its log and its step in messages: `smtp-sink`. */
  readonly name: string;
  /** Its entry point, relative to the repository root. */
  readonly entry: string;
  /** Answers 2xx once the script serves. */
  readonly healthUrl: string;
}

/**
 * Starts the script through tsx (on the workspaces' TypeScript sources, like the services), unless
 * its pid file names a live process, and waits until it is healthy. Says which of the two it did.
 */
export async function startNodeScript(script: NodeScript): Promise<'running' | 'started'> {
  const log = logFile(script.name);
  const healthy = () => httpOk(script.healthUrl);
  if (isAlive(readPid(pidFile(script.name)))) {
    await waitFor(`${script.name} health`, healthy, { timeoutMs: 10_000, log });
    return 'running';
  }
  const child = startDetached(process.execPath, ['--conditions=source', '--import', 'tsx', script.entry], {
    log,
    pidFile: pidFile(script.name),
    cwd: repoRoot,
  });
  await waitFor(`${script.name} health`, healthy, {
    timeoutMs: 20_000,
    intervalMs: 200,
    log,
    alive: () => isAlive(child),
  });
  return 'started';
}

export function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim().split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGTERM to a pid-file process (and its process group), waits, then SIGKILLs what is left. */
export async function stopPidFile(file: string, graceMs = 15_000): Promise<boolean> {
  const stopped = await stopProcess(readPid(file), graceMs);
  rmSync(file, { force: true });
  return stopped;
}

/** Sends SIGTERM to a detached process (and its process group), waits, then SIGKILLs what is left. */
export async function stopProcess(pid: number | undefined, graceMs = 15_000): Promise<boolean> {
  if (!isAlive(pid)) return false;
  signal(pid!, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal(pid!, 'SIGKILL');
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  // Detached children lead their own process group; signalling the group also reaches
  // anything they forked (kc.sh → java, tsx → node).
  try {
    process.kill(-pid, name);
  } catch {
    try {
      process.kill(pid, name);
    } catch {
      /* already gone */
    }
  }
}

/** Polls until `probe` resolves true, or fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; log?: string; alive?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    if (options.alive && !options.alive()) throw new StepError(`${what}: the process exited`, options.log);
    await sleep(options.intervalMs ?? 500);
  }
  throw new StepError(`${what}: not ready after ${Math.round(options.timeoutMs / 1000)} s`, options.log);
}

export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return response.ok;
}

/** Runs a command as a system user when we are root (PostgreSQL and RabbitMQ refuse root). */
export function asUser(user: string, command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ['runuser', ['-u', user, '--', command, ...args]];
  return [command, args];
}

/** Hands a path to a system user when we are root, so a server running as that user can write it. */
export function ownFor(user: string, path: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  chownSync(path, uid, gid);
}

/** Whether something accepts TCP connections on host:port (a listener on an extra address, say). */
export function tcpListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once('connect', () => {
      // Probing a loopback port nobody listens on, the kernel can pick that very port as the
      // probe's own and connect the socket to itself. That is not a server, and while it lasts it
      // holds the port the server is about to bind (a broker restart then fails with eaddrinuse):
      // reset at once, so no TIME_WAIT keeps it either.
      if (socket.localPort === port && socket.localAddress === socket.remoteAddress) {
        socket.resetAndDestroy();
        resolve(false);
        return;
      }
      done(true);
    });
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
