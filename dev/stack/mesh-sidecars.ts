/**
 * The local mesh's Envoys, all the stack's own Envoy binary:
 *
 * - a sidecar per service, in its pod: mesh/ compiled by Istio's own code (dev/tools/mesh-compiler),
 *   rendered into a bootstrap by packages/platform/src/mesh/sidecar.ts;
 * - a port-forward per service, in its pod, listening on the root namespace's loopback (what tests
 *   and developers call, as `kubectl port-forward`);
 * - the infrastructure proxy in the root namespace (Keycloak and the collector on the bridge).
 *
 * Each is (re)started only when its rendering, or the certificate it presents, changed. Admin
 * interfaces are Unix sockets under .stack/run: on no network address, so no pod reaches them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type Environment, repoRoot, type ServiceName, serviceNames } from '@platform/platform/environment';
import { parseCompiledWorkloads, type CompiledWorkload } from '@platform/platform/mesh/compiled-workload';
import { compileArguments, type CompileOptions } from '@platform/platform/mesh/compiler-arguments';
import { renderSidecar, type SidecarOptions } from '@platform/platform/mesh/sidecar';
import { renderInfrastructureProxy, renderPortForward } from '@platform/platform/mesh/tcp-proxies';
import { serviceIdentity, workloadName } from '@platform/platform/topology';
import { envoyBinary, envoyVersion } from './envoy.js';
import { certificateFingerprint, ensureIdentity, identityDir, meshCompiler } from './mesh-identity.js';
import { certsRoot, meshStateDir } from './mesh-mode.js';
import { hostNetnsPath, inPod } from './mesh-network.js';
import { logFile, pidFile, runDir } from './paths.js';
import { isAlive, readPid, run, startDetached, StepError, stopPidFile, waitFor } from './processes.js';

type Json = Record<string, unknown>;

const sidecarName = (service: ServiceName) => `sidecar-${service}`;
const portForwardName = (service: ServiceName) => `port-forward-${service}`;
const infrastructureProxyName = 'infrastructure-proxy';

/** A Unix socket path has at most 107 bytes; a deep checkout would overflow it. */
export function adminSocket(name: string): string {
  const path = join(runDir, `${name}.admin.sock`);
  if (Buffer.byteLength(path) > 100)
    throw new StepError(
      `the admin socket path ${path} is too long for a Unix socket: check out the repository higher up`,
    );
  return path;
}

/** GET on an Envoy admin interface listening on a Unix socket. */
export function adminGet(
  socket: string,
  path: string,
  timeoutMs = 2000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${socket}${path}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

const adminReady = async (socket: string) =>
  existsSync(socket) && (await adminGet(socket, '/ready')).status === 200;

/** Runs the mesh compiler on mesh/ (or a copy of it) and returns its output per workload. */
export async function compileWorkloads(
  env: Environment,
  options: CompileOptions,
): Promise<CompiledWorkload[]> {
  const result = await run(meshCompiler(), compileArguments(env, options), { cwd: repoRoot });
  if (result.code !== 0) {
    throw new StepError(
      `mesh-compiler: ${(result.stderr.trim().split('\n').at(-1) ?? '').replace(/^mesh-compiler: /, '')}`,
    );
  }
  return parseCompiledWorkloads(result.stdout);
}

/** One Envoy of the mesh: where its config, log, pid file and admin socket are. */
interface MeshEnvoy {
  name: string;
  /** The pod it runs in; the root namespace when absent. */
  pod?: ServiceName;
}

const configFile = (name: string) => join(meshStateDir, `${name}.yaml`);
const hashFile = (name: string) => join(meshStateDir, `${name}.sha256`);

function startEnvoyIn({ name, pod }: MeshEnvoy, config: string): number {
  // A socket left by an Envoy that was killed would make the new one's admin bind fail.
  rmSync(adminSocket(name), { force: true });
  const args = ['-c', config, '--log-level', 'warn', '--disable-hot-restart'];
  const [command, commandArgs] = pod ? inPod(pod, envoyBinary, args) : [envoyBinary, args];
  return startDetached(command, commandArgs, { log: logFile(name), pidFile: pidFile(name) });
}

/**
 * (Re)starts one mesh Envoy on a rendered bootstrap when it is not running or its hash (the
 * rendering plus whatever else it depends on, say a certificate) changed; waits for its admin
 * interface to report it ready.
 */
async function ensureEnvoy(
  envoy: MeshEnvoy,
  rendered: Json,
  options: { hashInputs?: string[]; restart?: boolean } = {},
): Promise<'running' | 'started' | 'restarted'> {
  const hashInputs = options.hashInputs ?? [];
  const text = stringify(rendered);
  const hash = createHash('sha256')
    .update(`${envoyVersion}\n${text}\n${hashInputs.join('\n')}`)
    .digest('hex');
  const pid = pidFile(envoy.name);
  const running = isAlive(readPid(pid));
  const socket = adminSocket(envoy.name);
  const unchanged =
    existsSync(hashFile(envoy.name)) && readFileSync(hashFile(envoy.name), 'utf8').trim() === hash;
  if (running && unchanged && !options.restart) {
    await waitFor(`${envoy.name} readiness`, () => adminReady(socket), {
      timeoutMs: 15_000,
      log: logFile(envoy.name),
    });
    return 'running';
  }
  if (running) await stopPidFile(pid, 5_000);
  mkdirSync(meshStateDir, { recursive: true });
  writeFileSync(configFile(envoy.name), text);
  const child = startEnvoyIn(envoy, configFile(envoy.name));
  await waitFor(`${envoy.name} readiness`, () => adminReady(socket), {
    timeoutMs: 30_000,
    intervalMs: 200,
    log: logFile(envoy.name),
    alive: () => isAlive(child),
  });
  writeFileSync(hashFile(envoy.name), `${hash}\n`);
  return running ? 'restarted' : 'started';
}

/**
 * Compiles mesh/ for every service and (re)starts each sidecar whose rendering or certificate
 * changed, or all of them on `restart` (the realm's keys changed: a sidecar caches the old key set).
 */
export async function startSidecars(env: Environment, options: { restart?: boolean } = {}): Promise<string> {
  const compiled = await compileWorkloads(env, { certsRoot, services: serviceNames });
  const outcomes: string[] = [];
  for (const service of serviceNames) {
    const workload = compiled.find((candidate) => candidate.workload === workloadName(service));
    if (!workload) throw new StepError(`mesh-compiler gave nothing for ${workloadName(service)}`);
    const identity = serviceIdentity(service);
    const name = sidecarName(service);
    await ensureIdentity(env, identity, { renew: !isAlive(readPid(pidFile(name))) });
    const rendered = renderSidecar(env, {
      service,
      compiled: workload,
      certDir: identityDir(identity),
      adminSocket: adminSocket(name),
    });
    const outcome = await ensureEnvoy({ name, pod: service }, rendered, {
      hashInputs: [certificateFingerprint(identity)],
      restart: options.restart,
    });
    outcomes.push(`${service} ${outcome}`);
  }
  return `${outcomes.join(', ')} (${compiled[0]?.inboundTlsMode ?? '?'} mTLS, ${compiled[0]?.httpFilters.length ?? 0} filters each)`;
}

/** The port-forward into a service's pod (its address in environments/local.yaml). */
export async function startPortForward(env: Environment, service: ServiceName): Promise<string> {
  const name = portForwardName(service);
  return ensureEnvoy(
    { name, pod: service },
    renderPortForward(service, env, { hostNetns: hostNetnsPath, adminSocket: adminSocket(name) }),
  );
}

export function stopPortForward(service: ServiceName): Promise<boolean> {
  return stopPidFile(pidFile(portForwardName(service)), 5_000);
}

export async function startInfrastructureProxy(env: Environment): Promise<string> {
  const mesh = env.mesh!;
  const outcome = await ensureEnvoy(
    { name: infrastructureProxyName },
    renderInfrastructureProxy(env, { adminSocket: adminSocket(infrastructureProxyName) }),
  );
  return `${outcome}: Keycloak and the collector on ${mesh.hostAddress}`;
}

/** Stops every mesh Envoy (sidecars, port-forwards, the infrastructure proxy); true if any ran. */
export async function stopMeshEnvoys(): Promise<boolean> {
  let stopped = false;
  for (const name of [
    ...serviceNames.flatMap((s) => [sidecarName(s), portForwardName(s)]),
    infrastructureProxyName,
  ]) {
    stopped = (await stopPidFile(pidFile(name), 5_000)) || stopped;
    rmSync(adminSocket(name), { force: true });
  }
  return stopped;
}

export function meshEnvoyPids(): Record<string, number | undefined> {
  return Object.fromEntries(
    [...serviceNames.flatMap((s) => [sidecarName(s), portForwardName(s)]), infrastructureProxyName].map(
      (name) => [name, readPid(pidFile(name))],
    ),
  );
}

export interface ExtraSidecar {
  /** Where it listens: the pod's address and its own inbound ports. */
  address: string;
  ports: { http: number; management: number };
  adminSocket: string;
  stop: () => Promise<void>;
}

/**
 * A second sidecar in a service's pod, beside the real one, on its own ports: a copy of mesh/ (say,
 * with a rule changed) compiled by the same compiler and loaded into the same Envoy binary, in
 * front of the same service. For tests that prove the sidecars run what the files say.
 */
export async function startExtraSidecar(
  env: Environment,
  service: ServiceName,
  options: { name: string; meshDir: string; ports: { http: number; management: number } },
): Promise<ExtraSidecar> {
  const [compiled] = await compileWorkloads(env, {
    certsRoot,
    services: [service],
    meshDir: options.meshDir,
    ports: options.ports,
  });
  const name = `${sidecarName(service)}-${options.name}`;
  const socket = adminSocket(name);
  const sidecar: SidecarOptions = {
    service,
    compiled: compiled!,
    certDir: identityDir(serviceIdentity(service)),
    adminSocket: socket,
    inboundPorts: options.ports,
    outbound: false,
  };
  const rendered = renderSidecar(env, sidecar);
  // Its own node id, so its logs and stats say which one it is.
  (rendered.node as Json).id = name;
  mkdirSync(meshStateDir, { recursive: true });
  writeFileSync(configFile(name), stringify(rendered));
  const child = startEnvoyIn({ name, pod: service }, configFile(name));
  await waitFor(`${name} readiness`, () => adminReady(socket), {
    timeoutMs: 20_000,
    intervalMs: 200,
    log: logFile(name),
    alive: () => isAlive(child),
  });
  return {
    address: env.mesh!.pods[service],
    ports: options.ports,
    adminSocket: socket,
    stop: async () => {
      await stopPidFile(pidFile(name), 5_000);
      rmSync(socket, { force: true });
    },
  };
}
