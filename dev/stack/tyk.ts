/**
 * The cluster edge run locally: a real Tyk OSS Gateway binary, given by TYK_GATEWAY_BIN (the project
 * ships none: take it from Tyk's packages or images), loaded with the files the platform package's edge/tyk.ts renders,
 * so what runs here is what the cluster runs, with local addresses only.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessMap } from '@platform/platform/access-map-schema';
import { renderTyk } from '@platform/platform/edge/tyk';
import type { Environment, ServiceName } from '@platform/platform/environment';
import { loadAccessMap } from '@platform/platform/access-map';
import { logFile, pidFile, stackDir } from './paths.js';
import { launchRedis } from './redis.js';
import {
  httpOk,
  isAlive,
  readPid,
  runOrFail,
  startDetached,
  StepError,
  stopPidFile,
  stopProcess,
  waitFor,
} from './processes.js';

const tykBinaryVariable = 'TYK_GATEWAY_BIN';

/** The gateway binary the user named, or one line saying what is needed. */
export function tykBinary(): string {
  const binary = process.env[tykBinaryVariable];
  const need = `set ${tykBinaryVariable} to a Tyk OSS Gateway 5.10+ binary (Tyk's packages or the tykio/tyk-gateway image carry one)`;
  if (!binary) throw new StepError(`${tykBinaryVariable} is not set: ${need}`);
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new StepError(`${tykBinaryVariable}=${binary} is not an executable file: ${need}`);
  }
  return binary;
}

export interface TykGatewayOptions {
  /** Where the gateway listens for clients, and its control API (never exposed). */
  listen: { host: string; port: number };
  controlPort: number;
  redis: { host: string; port: number };
  /** Upstreams other than the environment's services (tests build faults in this way). */
  upstreams?: Partial<Record<ServiceName, { host: string; port: number }>>;
  pidFile?: string;
}

export interface TykGateway {
  url: string;
  controlUrl: string;
  log: string;
  pid: number;
  stop: () => Promise<void>;
}

/**
 * Renders the gateway's files for `env` into .stack/tyk/<name>/ (the mount paths of the cluster
 * become that folder), starts the binary and waits until it is ready and has loaded every rendered
 * API and policy: Tyk skips a file it cannot use without failing, so a count that differs fails here.
 */
export async function startTykGateway(
  name: string,
  map: AccessMap,
  env: Environment,
  options: TykGatewayOptions,
): Promise<TykGateway> {
  const binary = tykBinary();
  const local: Environment = {
    ...env,
    edge: {
      ...env.edge,
      host: options.listen.host,
      port: options.listen.port,
      adminPort: options.controlPort,
    },
    redis: options.redis,
    services: Object.fromEntries(
      Object.entries(env.services).map(([service, endpoint]) => [
        service,
        { ...endpoint, ...options.upstreams?.[service as ServiceName] },
      ]),
    ) as Environment['services'],
  };
  const dir = join(stackDir, 'tyk', name);
  rmSync(dir, { recursive: true, force: true });
  const files = renderTyk(map, local);
  for (const [path, content] of files) {
    if (path === 'tyk.conf') continue;
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(content, null, 2));
  }
  const conf = {
    ...files.get('tyk.conf'),
    app_path: join(dir, 'apps'),
    policies: { policy_source: 'file', policy_path: join(dir, 'policies') },
    template_path: join(dir, 'templates'),
  };
  writeFileSync(join(dir, 'tyk.conf'), JSON.stringify(conf, null, 2));

  // The control API's secret, as in the cluster: from the environment, never in the file.
  const secret = randomBytes(24).toString('hex');
  const log = logFile(`tyk-${name}`);
  const pid = startDetached(binary, ['start', '--conf', join(dir, 'tyk.conf')], {
    log,
    pidFile: options.pidFile,
    cwd: dir,
    env: { ...process.env, TYK_GW_SECRET: secret },
  });
  const controlUrl = `http://127.0.0.1:${options.controlPort}`;
  await waitFor(`tyk ${name} readiness`, () => httpOk(`${controlUrl}/ready`), {
    timeoutMs: 30_000,
    log,
    alive: () => isAlive(pid),
  });
  const expectApis = [...files.keys()].filter((path) => /^apps\/.*-oas\.json$/.test(path)).length;
  const expectPolicies = [...files.keys()].filter((path) => path.startsWith('policies/')).length;
  const count = async (path: string) => {
    const response = await fetch(`${controlUrl}${path}`, { headers: { 'x-tyk-authorization': secret } });
    return response.ok ? ((await response.json()) as unknown[]).length : -1;
  };
  const [apis, policies] = [await count('/tyk/apis'), await count('/tyk/policies')];
  if (apis !== expectApis || policies !== expectPolicies) {
    await stopProcess(pid, 0);
    throw new StepError(
      `tyk ${name} loaded ${apis} of ${expectApis} APIs and ${policies} of ${expectPolicies} policies`,
      log,
    );
  }
  return {
    url: `http://${options.listen.host}:${options.listen.port}`,
    controlUrl,
    log,
    pid,
    stop: async () => {
      await stopProcess(pid, 5_000);
    },
  };
}

/** A Redis of the gateway's own (nothing persisted), for a run that must start from empty buckets. */
export async function startOwnRedis(name: string, port: number): Promise<{ stop: () => Promise<void> }> {
  const dir = join(stackDir, 'tyk', `${name}-redis`);
  await launchRedis({
    host: '127.0.0.1',
    port,
    dir,
    pidFile: join(dir, 'redis.pid'),
    log: logFile(`tyk-${name}-redis`),
  });
  await waitFor(
    `redis for tyk ${name}`,
    async () => (await runOrFail('redis-cli', ['-p', String(port), 'ping'])).includes('PONG'),
    {
      timeoutMs: 10_000,
    },
  );
  return {
    stop: async () => {
      await runOrFail('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
    },
  };
}

const stackPid = pidFile('tyk');

export function tykPid(): number | undefined {
  return readPid(stackPid);
}

/**
 * `npm run stack -- --edge tyk`: the cluster's edge in Envoy's place, on the edge's port, with the
 * stack's Redis (as the cluster's Tyk shares the platform Redis). Restarted on every `up`: it starts
 * in a second and reads its files only at start.
 */
export async function startTyk(env: Environment): Promise<string> {
  await stopPidFile(stackPid);
  const gateway = await startTykGateway('edge', loadAccessMap(), env, {
    listen: { host: env.edge.host, port: env.edge.port },
    controlPort: env.edge.adminPort,
    redis: env.redis,
    pidFile: stackPid,
  });
  return `started on ${env.edge.host}:${env.edge.port} (${process.env[tykBinaryVariable]}, control API ${gateway.controlUrl})`;
}

export function stopTyk(): Promise<boolean> {
  return stopPidFile(stackPid);
}
