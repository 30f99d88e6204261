import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Environment, repoRoot, type ServiceName, serviceNames } from '@platform/platform/environment';
import { podServiceEnv, serviceEnv } from '@platform/platform/service-env';
import { inPod } from './mesh-network.js';
import { startPortForward, stopPortForward } from './mesh-sidecars.js';
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

/**
 * The auth service starts last: its Keycloak events bridge announces the realm's users as soon as
 * it first runs, and on a fresh broker an event for which no consumer has declared its queue yet
 * goes to `platform.events.unrouted`, not to the consumers that start a moment later.
 */
const startOrder: ServiceName[] = [...serviceNames.filter((name) => name !== 'auth'), 'auth'];

/**
 * Starts each service that is not running with its current sources and environment. In the local
 * mesh a service runs in its pod (`ip netns exec`), listening on the pod's loopback only, and is
 * reached from the root namespace through its port-forward; otherwise it listens on its local
 * address directly.
 */
export async function startServices(
  env: Environment,
  secrets: Record<string, string>,
  step: Step,
  options: { mesh: boolean },
): Promise<void> {
  for (const name of startOrder) {
    await step(`service ${name}`, () => startService(name, env, secrets, options.mesh));
  }
}

export async function stopServices(step: Step): Promise<void> {
  for (const name of [...startOrder].reverse()) {
    await step(`service ${name}`, async () =>
      (await stopPidFile(pidFile(`service-${name}`))) ? 'stopped' : 'not running',
    );
  }
}

async function startService(
  name: ServiceName,
  env: Environment,
  secrets: Record<string, string>,
  mesh: boolean,
): Promise<string> {
  const pid = pidFile(`service-${name}`);
  const log = logFile(`service-${name}`);
  const hashFile = join(stateDir, `service-${name}.sha256`);
  const rendered = mesh ? podServiceEnv(name, env, secrets) : serviceEnv(name, env, secrets);
  // The rendered environment counts too: a new variable (say OTEL_EXPORTER_OTLP_ENDPOINT) restarts,
  // and so does moving into or out of the mesh.
  const hash = sourceHash(name, rendered);
  const endpoint = env.services[name];
  const ready = `http://${endpoint.host}:${endpoint.managementPort}/readyz`;
  const where = mesh
    ? `in pod ${env.mesh!.pods[name]}, port-forward ${endpoint.host}:${endpoint.port}`
    : `on ${endpoint.host}:${endpoint.port}`;
  const running = isAlive(readPid(pid));
  // A running service whose sources changed since it started is restarted, so tests never hit stale code.
  if (running && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash) {
    if (mesh) await startPortForward(env, name);
    await waitFor(`${name} readiness`, () => httpOk(ready), { timeoutMs: 30_000, log });
    return `running ${where}`;
  }
  if (running) await stopPidFile(pid);
  if (mesh) {
    await startPortForward(env, name);
  } else {
    await stopPortForward(name);
    // A process the stack does not know (say, one left by an interrupted run) would answer the
    // readiness probe with stale code; refuse rather than report success.
    await assertPortFree(endpoint.host, endpoint.port, name, log);
    await assertPortFree(endpoint.host, endpoint.managementPort, name, log);
  }
  const vars = { ...process.env, ...rendered };
  const command = (args: string[]): [string, string[]] =>
    mesh ? inPod(name, process.execPath, args) : [process.execPath, args];
  const migrate = await run(...command([...nodeArgs, entry(name), 'migrate']), {
    cwd: repoRoot,
    env: vars,
  });
  if (migrate.code !== 0) {
    mkdirSync(join(log, '..'), { recursive: true });
    writeFileSync(log, migrate.stdout + migrate.stderr, { flag: 'a' });
    throw new StepError(`migrations failed: ${lastLine(migrate.stderr || migrate.stdout)}`, log);
  }
  const child = startDetached(
    ...command([...nodeArgs, '--import', '@platform/kit/telemetry', entry(name), 'run']),
    { log, pidFile: pid, env: vars, cwd: repoRoot },
  );
  await waitFor(`${name} readiness`, () => httpOk(ready), {
    timeoutMs: 60_000,
    log,
    alive: () => isAlive(child),
  });
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(hashFile, `${hash}\n`);
  return `${running ? 'restarted (sources or environment changed)' : 'migrated, started'} ${where}`;
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
