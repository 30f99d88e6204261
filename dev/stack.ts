/**
 * The local stack: `up` (idempotent), `down` (only what the stack started; data stays),
 * `reset` (down, then wipe data), `status`. One progress line per step.
 */
import { rmSync } from 'node:fs';
import { relative } from 'node:path';
import { loadEnvironment, loadSecrets, localOnly, repoRoot } from '@platform/platform/environment';
import { edgeIdentity, prometheusIdentity } from '@platform/platform/topology';
import { ensureEnvoyDistribution, envoyPid, startEnvoy, stopEnvoy } from './stack/envoy.js';
import { ensureKeycloakDistribution, keycloakPid, startKeycloak, stopKeycloak } from './stack/keycloak.js';
import {
  ensureOtelCollectorBinary,
  otelCollectorPid,
  startOtelCollector,
  stopOtelCollector,
} from './stack/otel-collector.js';
import { certificateFingerprint, ensureIdentity, ensureMeshCompiler } from './stack/mesh-identity.js';
import { certsRoot, meshRecorded, meshStateDir, recordMeshMode } from './stack/mesh-mode.js';
import {
  ensureMeshNetwork,
  meshNetworkPresent,
  meshUnsupportedReason,
  removeMeshNetwork,
} from './stack/mesh-network.js';
import {
  meshEnvoyPids,
  startInfrastructureProxy,
  startSidecars,
  stopMeshEnvoys,
} from './stack/mesh-sidecars.js';
import { dataDir, stateDir } from './stack/paths.js';
import { postgresPid, startPostgres, stopPostgres } from './stack/postgres.js';
import { isAlive, StepError } from './stack/processes.js';
import { prometheusPid, startPrometheus, stopPrometheus } from './stack/prometheus.js';
import { rabbitmqPid, startRabbitmq, stopRabbitmq } from './stack/rabbitmq.js';
import { redisPid, startRedis, stopRedis } from './stack/redis.js';
import { reserveStackPorts } from './stack/reserved-ports.js';
import { servicePids, startServices, stopServices } from './stack/services.js';
import { smtpSinkPid, startSmtpSink, stopSmtpSink } from './stack/smtp-sink.js';
import { withStackLock } from './stack/stack-lock.js';
import { ensureSystemPackages } from './stack/system-packages.js';
import { startTraceSink, stopTraceSink, traceSinkPid } from './stack/trace-sink.js';
import { startTyk, stopTyk, tykBinary, tykPid } from './stack/tyk.js';

const env = loadEnvironment();
const secrets = loadSecrets();

async function step(name: string, action: () => Promise<string>): Promise<void> {
  const started = Date.now();
  try {
    const outcome = await action();
    console.log(`[stack] ${name}: ${outcome} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    const log = error instanceof StepError && error.log ? ` — log: ${relative(repoRoot, error.log)}` : '';
    console.error(`[stack] ${name}: FAILED — ${(error as Error).message}${log}`);
    process.exit(1);
  }
}

/** The north-south edge the stack runs: Envoy (the default) or the cluster's Tyk (TYK_GATEWAY_BIN). */
type EdgeKind = 'envoy' | 'tyk';

async function up(options: { services: boolean; edge: EdgeKind; mesh: boolean }): Promise<void> {
  await step('system packages', ensureSystemPackages);
  await step('reserved ports', async () => reserveStackPorts(env));
  const mesh = options.mesh ? localOnly(env.mesh, 'mesh', env) : undefined;
  if (mesh) {
    // Before the infrastructure: PostgreSQL, RabbitMQ and Redis listen on the bridge's address too.
    await step('mesh network', () => ensureMeshNetwork(env));
    recordMeshMode(true);
    await step('mesh compiler build', ensureMeshCompiler);
  } else if (meshRecorded() || meshNetworkPresent()) {
    await step('mesh', () => leaveMesh());
  }
  await step('postgres', () =>
    startPostgres(env, secrets, mesh && { address: mesh.hostAddress, subnet: mesh.subnet }),
  );
  await step('rabbitmq', () => startRabbitmq(env, secrets, mesh?.hostAddress));
  await step('redis', () => startRedis(env, mesh?.hostAddress));
  await step('smtp sink', () => startSmtpSink(env));
  // Observability first, so the first spans of the edge and the services have somewhere to go.
  await step('trace sink', () => startTraceSink(env));
  await step('otel collector build', ensureOtelCollectorBinary);
  await step('otel collector', () => startOtelCollector(env));
  await step('prometheus', async () => {
    if (!mesh) return startPrometheus(env);
    // It scrapes the services through their sidecars, with a workload certificate of its own.
    await ensureIdentity(env, prometheusIdentity, { renew: !isAlive(prometheusPid()) });
    return startPrometheus(env, { certsRoot });
  });
  await step('keycloak download', ensureKeycloakDistribution);
  let realmKeysChanged = false;
  await step('keycloak', async () => {
    const outcome = await startKeycloak(env, secrets);
    // A (re-)imported realm has new signing keys; an edge holding the old key set would refuse
    // every token until its JWKS cache expires, so it restarts (and so do the sidecars).
    realmKeysChanged = /imported/.test(outcome);
    return outcome;
  });
  // One Envoy binary runs the edge, the sidecars and the infrastructure proxy: fetched before any of them.
  if (mesh || options.edge === 'envoy') await step('envoy download', ensureEnvoyDistribution);
  if (mesh) await step('mesh infrastructure proxy', () => startInfrastructureProxy(env));
  // The edge starts before the services: it answers for an upstream that is not up yet. One edge
  // at a time holds the edge's port.
  if (options.edge === 'tyk') {
    await step('tyk binary', async () => tykBinary());
    if (isAlive(envoyPid()))
      await step('envoy', async () => (await stopEnvoy(), 'stopped (Tyk is the edge)'));
    await step('tyk', () => startTyk(env));
  } else {
    if (isAlive(tykPid())) await step('tyk', async () => (await stopTyk(), 'stopped (Envoy is the edge)'));
    await step('envoy', async () => {
      if (!mesh) return startEnvoy(env, { restart: realmKeysChanged });
      // In the mesh the edge reaches the services through their sidecars, as Tyk's identity.
      await ensureIdentity(env, edgeIdentity, { renew: !isAlive(envoyPid()) });
      return startEnvoy(env, {
        restart: realmKeysChanged,
        mesh: { certsRoot, certificateFingerprint: certificateFingerprint(edgeIdentity) },
      });
    });
  }
  if (mesh) await step('sidecars', () => startSidecars(env, { restart: realmKeysChanged }));
  if (options.services) await startServices(env, secrets, step, { mesh: Boolean(mesh) });
}

/** Out of the mesh (`--no-mesh`): the services leave their pods, the mesh's Envoys and network go. */
async function leaveMesh(): Promise<string> {
  await stopServices(async (_name, action) => void (await action()));
  await stopMeshEnvoys();
  await removeMeshNetwork(env);
  recordMeshMode(false);
  return 'removed (services, sidecars, port-forwards, pods, bridge); the services restart outside it';
}

/**
 * Stops everything the stack started. A step that fails is reported and the others still run (one
 * stuck component must not leave the rest holding their ports); the command fails at the end.
 */
async function down(): Promise<void> {
  const failed: string[] = [];
  const step = async (name: string, action: () => Promise<string>): Promise<void> => {
    const started = Date.now();
    try {
      console.log(`[stack] ${name}: ${await action()} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed.push(name);
      console.error(`[stack] ${name}: FAILED — ${(error as Error).message}`);
    }
  };
  await stopServices(step);
  await step('mesh', async () => {
    const envoys = await stopMeshEnvoys();
    const network = await removeMeshNetwork(env);
    recordMeshMode(false);
    return envoys || network ? 'stopped (sidecars, port-forwards, pods, bridge)' : 'not running';
  });
  await step('envoy', async () => ((await stopEnvoy()) ? 'stopped' : 'not running'));
  await step('tyk', async () => ((await stopTyk()) ? 'stopped' : 'not running'));
  await step('keycloak', async () => ((await stopKeycloak()) ? 'stopped' : 'not running'));
  await step('prometheus', async () => ((await stopPrometheus()) ? 'stopped' : 'not running'));
  await step('otel collector', async () => ((await stopOtelCollector()) ? 'stopped' : 'not running'));
  await step('trace sink', async () => ((await stopTraceSink()) ? 'stopped' : 'not running'));
  await step('smtp sink', async () => ((await stopSmtpSink()) ? 'stopped' : 'not running'));
  await step('redis', async () => ((await stopRedis()) ? 'stopped' : 'not running'));
  await step('rabbitmq', async () => ((await stopRabbitmq(env)) ? 'stopped' : 'not running'));
  await step('postgres', async () => ((await stopPostgres()) ? 'stopped' : 'not running'));
  if (failed.length > 0) {
    console.error(`[stack] down: could not stop ${failed.join(', ')}`);
    process.exit(1);
  }
}

function status(): void {
  const line = (name: string, pid: number | undefined) =>
    console.log(`[stack] ${name}: ${isAlive(pid) ? `running (pid ${pid})` : 'stopped'}`);
  line('postgres', postgresPid());
  line('rabbitmq', rabbitmqPid());
  line('redis', redisPid());
  line('smtp sink', smtpSinkPid());
  line('trace sink', traceSinkPid());
  line('otel collector', otelCollectorPid());
  line('prometheus', prometheusPid());
  line('keycloak', keycloakPid());
  line('envoy', envoyPid());
  line('tyk', tykPid());
  for (const [name, pid] of Object.entries(servicePids())) line(`service ${name}`, pid);
  console.log(
    `[stack] mesh: ${meshRecorded() ? 'on' : 'off'}, pods ${meshNetworkPresent() ? 'present' : 'absent'}`,
  );
  for (const [name, pid] of Object.entries(meshEnvoyPids())) if (pid) line(name, pid);
}

function edgeOption(): EdgeKind {
  const index = process.argv.indexOf('--edge');
  if (index === -1) return 'envoy';
  const kind = process.argv[index + 1];
  if (kind === 'envoy' || kind === 'tyk') return kind;
  console.error(`[stack] --edge takes envoy or tyk (got "${kind ?? ''}")`);
  process.exit(2);
}

/**
 * The services run in the local mesh (their pods, behind sidecars) unless `--no-mesh` says
 * otherwise for this run; a machine that cannot make network namespaces stops here, saying why.
 */
function meshOption(): boolean {
  if (process.argv.includes('--no-mesh')) return false;
  const reason = meshUnsupportedReason();
  if (reason) {
    console.error(`[stack] mesh: ${reason}`);
    process.exit(1);
  }
  return true;
}

const command = process.argv[2] ?? 'up';
switch (command) {
  case 'up': {
    const edge = edgeOption();
    const mesh = meshOption();
    await withStackLock(() => up({ services: !process.argv.includes('--infra-only'), edge, mesh }));
    break;
  }
  case 'down':
    await withStackLock(down);
    break;
  case 'reset':
    await withStackLock(down);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(meshStateDir, { recursive: true, force: true });
    console.log('[stack] data: wiped');
    break;
  case 'status':
    status();
    break;
  default:
    console.error(
      `usage: stack [up [--infra-only] [--edge envoy|tyk] [--no-mesh] | down | reset | status] (got "${command}")`,
    );
    process.exit(2);
}
