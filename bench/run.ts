/**
 * Measures, in one run on this machine:
 * - a bare Express app against the kit's app with the JWT check (a real Keycloak token, JWKS cached)
 *   on the same route, traced and not;
 * - GET /users/me with a valid token directly to the user service against the same request
 *   through the edge (a real Envoy rendered from the access map), at full load and at half of the
 *   direct throughput;
 *   the full-load cases of both run in turn in BENCH_ROUNDS (3) rounds: each ratio is taken within
 *   a round and the median round's is the figure (bench/rounds.ts);
 * - east-west in the local mesh: billing's internal lookup of a user (GET /internal/users/{id} with
 *   billing's token) from billing's pod through both sidecars (billing's outbound, mutual TLS, the
 *   user service's inbound with jwt_authn and RBAC) against the same request sent directly to the
 *   user service from inside its own pod, at full load and at half of the direct throughput;
 * - the event pipeline (bench/event-pipeline.ts): a burst of lifecycle events committed to the auth
 *   service's outbox until both consumers applied them, and a steady stream's commit → applied latency;
 * - each service's resident memory before and after;
 * and prints every figure with its target. Bare Express is measured first and again last, each time
 * once the machine is quiet (bench/quiet.ts): when the first round's and the last differ by more
 * than 10 %, something else used the machine meanwhile and the run is marked unreliable. Tracing
 * stays on as in production (the kit's server exports to the stack's collector).
 * Loopback and the mesh's bridge only; every load is bounded in time. Needs the local stack
 * (`npm run stack`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { loadEnvironment, repoRoot } from '@platform/platform/environment';
import { startExtraEdge, type ExtraEdge } from '@platform/dev/stack/envoy';
import { claimsOf, serviceToken, userToken } from '@platform/test-support/tokens';
import { loadAccessMap } from '@platform/platform/access-map';
import { untilQuiet } from './quiet.js';
import type { ServiceName } from '@platform/platform/environment';
import { containerPorts } from '@platform/platform/topology';
import { meshRecorded } from '@platform/dev/stack/mesh-mode';
import { inPod } from '@platform/dev/stack/mesh-network';
import { servicePids } from '@platform/dev/stack/services';
import { stateDir } from '@platform/dev/stack/paths';
import { serviceNames } from '@platform/platform/topology';
import { measureEventPipeline } from './event-pipeline.js';
import { eventPipelineVerdicts, verdict } from './verdict.js';
import { median, ratioByRound } from './rounds.js';

const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const burstEvents = Number(process.env.BENCH_EVENTS ?? 10_000);
const steadyRate = Number(process.env.BENCH_EVENT_RATE ?? 200);
const roundCount = Number(process.env.BENCH_ROUNDS ?? 3);
const env = loadEnvironment();

/** One round of the full-load cases, measured one after the other. */
interface Round {
  bare: Figures;
  traced: Figures;
  untraced: Figures;
  direct: Figures;
  edge: Figures;
}

interface Figures {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
}

/**
 * A bench server; `traced` loads the kit's telemetry and exports to the stack's collector, as a
 * service does, with the SDK's default sampler unless OTEL_TRACES_SAMPLER is set for the bench.
 */
async function startServer(file: string, traced = false): Promise<{ child: ChildProcess; port: number }> {
  const telemetry = traced ? ['--import', '@platform/kit/telemetry'] : [];
  const collector = `http://${env.otelCollector.host}:${env.otelCollector.otlpHttpPort}`;
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _ignored, ...untraced } = process.env;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', ...telemetry, file], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: traced
      ? { ...untraced, OTEL_EXPORTER_OTLP_ENDPOINT: collector, OTEL_SERVICE_NAME: 'bench-kit' }
      : untraced,
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const { port } = JSON.parse(line) as { port: number };
    return { child, port };
  }
  throw new Error(`${file} exited before announcing its port`);
}

/**
 * The edge as the stack renders it, on ports of its own and with rate limits off: one identity at
 * full load would otherwise meet its tier, and the benchmark measures the proxy, not the limiter.
 */
function startBenchEdge(): Promise<ExtraEdge> {
  return startExtraEdge('bench', loadAccessMap(), env, { rateLimits: false });
}

async function measure(
  name: string,
  url: string,
  headers: Record<string, string> = {},
  overallRate?: number,
): Promise<Figures> {
  // A short warm-up so JIT, connection pools and the JWKS cache are hot before measuring.
  await autocannon({ url, headers, connections, duration: 2 });
  const result = await autocannon({
    url,
    headers,
    connections,
    duration: durationSeconds,
    ...(overallRate ? { overallRate } : {}),
  });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}

const ratio = (a: Figures, b: Figures) => a.requestsPerSecond / b.requestsPerSecond;
const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;

/** Each stack service's resident memory in MiB (VmRSS), by name; NaN for one that is not running. */
function serviceMemory(): Record<string, number> {
  const pids = servicePids();
  return Object.fromEntries(
    serviceNames.map((name) => {
      try {
        const status = readFileSync(`/proc/${pids[name]}/status`, 'utf8');
        return [name, Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024];
      } catch {
        return [name, NaN];
      }
    }),
  );
}

/** One bench run's memory after it, and which processes it was read from. */
interface MemoryRun {
  pids: Record<string, number | undefined>;
  mib: Record<string, number>;
}

/**
 * The memory after each of the last three runs of the same service processes (kept in the stack's
 * state directory), so that a leak shows as growth from run to run: true when every service stayed
 * within 10 % of the first. A restarted service starts with a small heap that the next run grows,
 * which is not a leak: runs before a restart are not compared.
 */
function memoryHistory(after: Record<string, number>): { runs: MemoryRun[]; steady: boolean } {
  const file = join(stateDir, 'bench-memory.json');
  const pids = servicePids();
  const sameProcesses = (run: MemoryRun) => serviceNames.every((name) => run.pids?.[name] === pids[name]);
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as MemoryRun[]) : [];
  const runs = [...previous.filter(sameProcesses), { pids, mib: after }].slice(-3);
  writeFileSync(file, JSON.stringify(runs));
  const steady = serviceNames.every((name) => runs.at(-1)!.mib[name]! <= runs[0]!.mib[name]! * 1.1);
  return { runs, steady };
}

/** The same measurement as measure(), made by a load generator inside a pod (bench/pod-load.ts). */
async function measureFromPod(
  name: string,
  pod: ServiceName,
  url: string,
  headers: Record<string, string>,
  overallRate?: number,
): Promise<Figures> {
  const options = { url, headers, connections, duration: durationSeconds, overallRate };
  const [command, args] = inPod(pod, process.execPath, [
    '--conditions=source',
    '--import',
    'tsx',
    'bench/pod-load.ts',
    JSON.stringify(options),
  ]);
  const { stdout } = await promisify(execFile)(command, args, { cwd: repoRoot });
  return { name, ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<Figures, 'name'>) };
}

/**
 * Billing → user through both sidecars against the user service called directly in its pod, at
 * full load and at half the direct throughput; undefined without the mesh.
 */
async function measureMesh(
  subject: string,
): Promise<{ full: [Figures, Figures]; half: [Figures, Figures] } | undefined> {
  const mesh = env.mesh;
  if (!meshRecorded() || !mesh) return undefined;
  const headers = { authorization: `Bearer ${await serviceToken('billing')}` };
  // Alice's profile, looked up once through the port-forward, gives an id to ask for.
  const profile = await fetch(
    `http://${env.services.user.host}:${env.services.user.port}/internal/users/by-subject/${subject}`,
    { headers },
  );
  if (!profile.ok) throw new Error(`no profile for alice: ${profile.status}`);
  const path = `/internal/users/${String(((await profile.json()) as { id: string }).id)}`;
  const direct = `http://127.0.0.1:${containerPorts.http}${path}`;
  const throughMesh = `http://127.0.0.1:${mesh.outboundPorts.user}${path}`;
  const full: [Figures, Figures] = [
    await measureFromPod('billing → user direct (in the user pod)', 'user', direct, headers),
    await measureFromPod('billing → user through both sidecars', 'billing', throughMesh, headers),
  ];
  const rate = Math.max(1, Math.round(full[0].requestsPerSecond / 2));
  const half: [Figures, Figures] = [
    await measureFromPod(`billing → user direct at ${rate} req/s`, 'user', direct, headers, rate),
    await measureFromPod(
      `billing → user through both sidecars at ${rate} req/s`,
      'billing',
      throughMesh,
      headers,
      rate,
    ),
  ];
  return { full, half };
}

/**
 * Alice's token, asked for afresh by each group of cases: a token lives five minutes and the bench
 * runs longer, and an expired one would measure the kit's refusals (401) instead of its answers.
 */
const aliceBearer = async () => ({ authorization: `Bearer ${await userToken('alice')}` });
const aliceSubject = String(claimsOf(await userToken('alice')).sub);
const memoryAtRest = serviceMemory();
const bare = await startServer('bench/servers/bare-express.ts');
const kit = await startServer('bench/servers/kit-with-auth.ts', true);
const kitUntraced = await startServer('bench/servers/kit-with-auth.ts');
const edge = await startBenchEdge();
try {
  const bareUrl = `http://127.0.0.1:${bare.port}/hello`;
  const direct = `http://${env.services.user.host}:${env.services.user.port}/users/me`;
  const throughEdge = `${edge.url}/api/v1/users/me`;
  const quietBefore = await untilQuiet();
  // The full-load cases in turn, round after round: every throughput ratio is taken within a round.
  const rounds: Round[] = [];
  for (let round = 1; round <= roundCount; round += 1) {
    const of = roundCount > 1 ? ` (round ${round})` : '';
    const bearer = await aliceBearer();
    rounds.push({
      bare: await measure(`bare Express${of}`, bareUrl),
      traced: await measure(`kit + JWT (traced)${of}`, `http://127.0.0.1:${kit.port}/hello`, bearer),
      untraced: await measure(
        `kit + JWT, tracing off${of}`,
        `http://127.0.0.1:${kitUntraced.port}/hello`,
        bearer,
      ),
      direct: await measure(`GET /users/me direct${of}`, direct, bearer),
      edge: await measure(`GET /users/me through the edge${of}`, throughEdge, bearer),
    });
  }
  /** One case's throughput as a share of another's, round by round. */
  const share = (part: keyof Round, whole: keyof Round) =>
    ratioByRound(rounds, (r) => ratio(r[part], r[whole]));
  const baseline = rounds[0]!.bare;
  const kitShare = share('traced', 'bare');
  const tracedShare = share('traced', 'untraced');
  const directShare = share('direct', 'bare');
  const edgeShare = share('edge', 'direct');
  const bearer = await aliceBearer();
  const halfLoad = Math.max(1, Math.round(median(rounds.map((r) => r.direct.requestsPerSecond)) / 2));
  const directHalf = await measure(`GET /users/me direct at ${halfLoad} req/s`, direct, bearer, halfLoad);
  const edgeHalf = await measure(
    `GET /users/me through the edge at ${halfLoad} req/s`,
    throughEdge,
    bearer,
    halfLoad,
  );
  const mesh = await measureMesh(aliceSubject);
  const events = await measureEventPipeline({ burst: burstEvents, steadyRate, steadySeconds: 10 });
  const quietAfter = await untilQuiet();
  const baselineAfter = await measure('bare Express, again', bareUrl);
  const memoryAfter = serviceMemory();
  const all = [
    ...rounds.flatMap((round) => [round.bare, round.traced, round.untraced, round.direct, round.edge]),
    directHalf,
    edgeHalf,
    ...(mesh ? [...mesh.full, ...mesh.half] : []),
    baselineAfter,
  ];

  console.log(
    `\n${connections} connections, ${durationSeconds} s each, loopback, ${new Date().toISOString()}\n`,
  );
  console.log('| case | requests/s | p50 ms | p99 ms | non-2xx |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of all) {
    console.log(`| ${r.name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
  }
  const { burst, steady } = events;
  console.log(`\nevent pipeline, a burst of ${burst.events} user.registered committed in one transaction:`);
  console.log(
    `  published ${burst.publishedPerSecond.toFixed(0)}/s; applied by the user service ${burst.appliedPerSecond.user.toFixed(0)}/s, by billing ${burst.appliedPerSecond.billing.toFixed(0)}/s`,
  );
  console.log(
    `  steady ${steady.rate}/s for ${steady.events} events: commit → applied p50/p99 user ${steady.latencyMs.user.p50}/${steady.latencyMs.user.p99} ms, billing ${steady.latencyMs.billing.p50}/${steady.latencyMs.billing.p99} ms`,
  );
  console.log('\nresident memory, MiB (at rest → after):');
  for (const name of serviceNames) {
    console.log(`  ${name}: ${memoryAtRest[name]!.toFixed(0)} → ${memoryAfter[name]!.toFixed(0)}`);
  }

  const history = memoryHistory(memoryAfter);
  console.log(
    `  after each of the last ${history.runs.length} runs of these processes: ${serviceNames
      .map((name) => `${name} ${history.runs.map((run) => run.mib[name]!.toFixed(0)).join(' → ')}`)
      .join('; ')}`,
  );

  const drift =
    Math.abs(baselineAfter.requestsPerSecond - baseline.requestsPerSecond) / baseline.requestsPerSecond;
  const byRound = (ratios: number[]) =>
    ratios.length > 1 ? `, median of rounds ${ratios.map((r) => percent(r, 1)).join(', ')}` : '';
  const lines = [
    verdict(
      'kit/bare throughput',
      `${percent(kitShare.median, 1)}${byRound(kitShare.rounds)}`,
      '≥ 50 %',
      kitShare.median >= 0.5,
    ),
    verdict(
      '/users/me direct/bare throughput',
      `${percent(directShare.median, 1)}${byRound(directShare.rounds)}`,
      '≥ 25 %',
      directShare.median >= 0.25,
    ),
    verdict(
      'edge/direct throughput',
      `${percent(edgeShare.median, 1)}${byRound(edgeShare.rounds)}`,
      '≥ 80 %',
      edgeShare.median >= 0.8,
    ),
    verdict(
      'edge/direct p99 at half load',
      `${(edgeHalf.p99 / Math.max(directHalf.p99, 1)).toFixed(2)} ×`,
      '≤ 1.5 ×',
      edgeHalf.p99 <= 1.5 * Math.max(directHalf.p99, 1),
    ),
    ...eventPipelineVerdicts(burst, steady),
  ];
  lines.push(
    history.runs.length < 3
      ? `memory: ${history.runs.length} of 3 runs recorded; run the bench again to compare`
      : verdict(
          'memory across three runs',
          history.steady ? 'no growth' : 'grew',
          'within 10 %',
          history.steady,
        ),
  );
  if (mesh) {
    const [meshDirect, sidecars] = mesh.full;
    const [directAtHalf, sidecarsAtHalf] = mesh.half;
    lines.push(
      verdict(
        'mesh/direct throughput (billing → user)',
        percent(sidecars.requestsPerSecond, meshDirect.requestsPerSecond),
        '≥ 80 %',
        ratio(sidecars, meshDirect) >= 0.8,
      ),
      verdict(
        'mesh/direct p99 at half load',
        `${(sidecarsAtHalf.p99 / Math.max(directAtHalf.p99, 1)).toFixed(2)} ×`,
        '≤ 1.5 ×',
        sidecarsAtHalf.p99 <= 1.5 * Math.max(directAtHalf.p99, 1),
      ),
    );
  } else {
    lines.push('mesh: not measured, the stack runs without the local mesh (npm run stack)');
  }
  lines.push(
    `tracing (${process.env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on, the default'}) costs the kit ${percent(
      1 - tracedShare.median,
      1,
    )} of its throughput (the median round${byRound(tracedShare.rounds.map((r) => 1 - r))})`,
  );
  console.log(`\n${lines.join('\n')}`);
  console.log(
    drift > 0.1
      ? `\nUNRELIABLE: bare Express moved ${percent(drift, 1)} between the first and the last case; something else used the machine`
      : `\nquiet machine: bare Express moved ${percent(drift, 1)} between the first and the last case (limit 10 %)`,
  );
  for (const [when, quiet] of [
    ['before the first', quietBefore],
    ['before the last', quietAfter],
  ] as const) {
    const waited = `waited ${(quiet.waitedMs / 1000).toFixed(0)} s ${when} case for a quiet machine`;
    console.log(
      quiet.quiet
        ? `${waited} (${percent(quiet.busy, 1)} busy)`
        : `warning: ${waited}, and it was still ${percent(quiet.busy, 1)} busy`,
    );
  }
  for (const r of all) {
    if (r.non2xx > 0) console.log(`warning: ${r.non2xx} responses of "${r.name}" were not 2xx`);
  }
} finally {
  bare.child.kill();
  kit.child.kill();
  kitUntraced.child.kill();
  await edge.stop();
}
