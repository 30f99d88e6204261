import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Environment, repoRoot, type ServiceName, serviceNames } from '@platform/platform/environment';
import { serviceEnv } from '@platform/platform/service-env';
import { logFile, pidFile, stateDir } from './paths.js';
import {
  httpOk,
  isAlive,
  readPid,
  run,
  startDetached,
  StepError,
  stopPidFile,
  waitFor,
} from './processes.js';

type Step = (name: string, action: () => Promise<string>) => Promise<void>;

/** Services run from their TypeScript sources: workspace packages resolve through the `source` condition. */
const nodeArgs = ['--conditions=source', '--import', 'tsx'];
const entry = (name: ServiceName) => join('services', name, 'src', 'main.ts');

export function servicePids(): Record<string, number | undefined> {
  return Object.fromEntries(serviceNames.map((name) => [name, readPid(pidFile(`service-${name}`))]));
}

export async function startServices(
  env: Environment,
  secrets: Record<string, string>,
  step: Step,
): Promise<void> {
  for (const name of serviceNames) {
    await step(`service ${name}`, () => startService(name, env, secrets));
  }
}

export async function stopServices(step: Step): Promise<void> {
  for (const name of [...serviceNames].reverse()) {
    await step(`service ${name}`, async () =>
      (await stopPidFile(pidFile(`service-${name}`))) ? 'stopped' : 'not running',
    );
  }
}

async function startService(
  name: ServiceName,
  env: Environment,
  secrets: Record<string, string>,
): Promise<string> {
  const pid = pidFile(`service-${name}`);
  const log = logFile(`service-${name}`);
  const hashFile = join(stateDir, `service-${name}.sha256`);
  // The rendered environment counts too: a new variable (say OTEL_EXPORTER_OTLP_ENDPOINT) restarts.
  const hash = sourceHash(name, serviceEnv(name, env, secrets));
  const endpoint = env.services[name];
  const ready = `http://${endpoint.host}:${endpoint.managementPort}/readyz`;
  const running = isAlive(readPid(pid));
  // A running service whose sources changed since it started is restarted, so tests never hit stale code.
  if (running && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash) {
    await waitFor(`${name} readiness`, () => httpOk(ready), { timeoutMs: 30_000, log });
    return `running on ${env.services[name].host}:${env.services[name].port}`;
  }
  if (running) await stopPidFile(pid);
  // A process the stack does not know (say, one left by an interrupted run) would answer the
  // readiness probe with stale code; refuse rather than report success.
  await assertPortFree(endpoint.host, endpoint.port, name, log);
  await assertPortFree(endpoint.host, endpoint.managementPort, name, log);
  const vars = { ...process.env, ...serviceEnv(name, env, secrets) };
  const migrate = await run(process.execPath, [...nodeArgs, entry(name), 'migrate'], {
    cwd: repoRoot,
    env: vars,
  });
  if (migrate.code !== 0) {
    mkdirSync(join(log, '..'), { recursive: true });
    writeFileSync(log, migrate.stdout + migrate.stderr, { flag: 'a' });
    throw new StepError(`migrations failed: ${lastLine(migrate.stderr || migrate.stdout)}`, log);
  }
  const child = startDetached(
    process.execPath,
    [...nodeArgs, '--import', '@platform/kit/telemetry', entry(name), 'run'],
    { log, pidFile: pid, env: vars, cwd: repoRoot },
  );
  await waitFor(`${name} readiness`, () => httpOk(ready), {
    timeoutMs: 60_000,
    log,
    alive: () => isAlive(child),
  });
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(hashFile, `${hash}\n`);
  return `${running ? 'restarted (sources changed)' : 'migrated, started'} on ${env.services[name].host}:${env.services[name].port}`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** A fingerprint of everything a service runs: its environment, its sources and the shared packages. */
function sourceHash(name: ServiceName, vars: Record<string, string>): string {
  const hash = createHash('sha256').update(JSON.stringify(vars));
  const roots = [join(repoRoot, 'services', name, 'src'), join(repoRoot, 'packages')];
  for (const root of roots) {
    for (const file of listFiles(root)) {
      const stat = statSync(file);
      hash.update(`${file}:${stat.size}:${stat.mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'test') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

function assertPortFree(host: string, port: number, name: ServiceName, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(
        new StepError(`port ${host}:${port} is taken by a process the stack did not start (${name})`, log),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
