/**
 * A service of the stack run as a real child process, the way the stack runs it (`node
 * --conditions=source --import tsx services/<name>/src/main.ts run`), with the stack's environment
 * for it on free loopback ports: what a signal test needs, since SIGTERM goes to a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, type ServiceName } from '@platform/platform/environment';
import { secondInstanceEnv } from '@platform/test-support/service-instance';

export interface ServiceProcess {
  readonly url: string;
  readonly managementUrl: string;
  readonly child: ChildProcess;
  /** The end of its output (its log), to explain a failure. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Ends it whatever state it is in (for afterAll): SIGKILL if SIGTERM did not end it in time. */
  kill(): Promise<void>;
}

export async function startServiceProcess(
  name: ServiceName,
  overrides: Record<string, string> = {},
): Promise<ServiceProcess> {
  // Ports 0: the service binds free ones and names them in its "started" log line.
  const env = { ...process.env, ...secondInstanceEnv(name, { LOG_LEVEL: 'info', ...overrides }) };
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join('services', name, 'src', 'main.ts'), 'run'],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let started: ((addresses: { url: string; managementPort: number }) => void) | undefined;
  const addresses = new Promise<{ url: string; managementPort: number }>((resolve) => (started = resolve));
  const keep = (chunk: Buffer) => {
    // The last part only: enough to explain a failure, bounded however long the load runs.
    output = (output + chunk.toString()).slice(-20_000);
  };
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    keep(chunk);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes(`"${name}-service started"`)) continue;
      const { url, managementPort } = JSON.parse(line) as { url: string; managementPort: number };
      started?.({ url, managementPort });
    }
  });
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const gone = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!gone) child.kill('SIGKILL');
    await exited;
  };
  const outcome = await Promise.race([
    addresses,
    exited.then((code) => new Error(`${name} exited with ${code} at start:\n${output}`)),
    sleep(60_000).then(() => new Error(`${name} did not start within 60 s:\n${output}`)),
  ]);
  if (outcome instanceof Error) {
    await kill();
    throw outcome;
  }
  const managementUrl = `http://127.0.0.1:${outcome.managementPort}`;
  // Started is not yet ready: the broker connects in the background.
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`${managementUrl}/readyz`).then(
      (response) => response.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await kill();
      throw new Error(`${name} was not ready within 30 s of starting:\n${output}`);
    }
    await sleep(200);
  }
  return {
    url: outcome.url,
    managementUrl,
    child,
    output: () => output,
    exited,
    kill,
  };
}
