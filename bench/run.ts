/**
 * Measures, in one run on this machine:
 * - a bare Express app against the kit's app with the JWT check (a real Keycloak token, JWKS cached)
 *   on the same route;
 * - GET /users/me with a valid token directly to the user service against the same request
 *   through the edge (a real Envoy rendered from the access map), at full load and at half of the
 *   direct throughput;
 * - east-west in the local mesh: billing's internal lookup of a user (GET /internal/users/{id} with
 *   billing's token) from billing's pod through both sidecars (billing's outbound, mutual TLS, the
 *   user service's inbound with jwt_authn and RBAC) against the same request sent directly to the
 *   user service from inside its own pod, at full load and at half of the direct throughput;
 * and prints the ratios. Loopback and the mesh's bridge only; every load is bounded in time. Needs
 * the local stack (`npm run stack`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { loadEnvironment, repoRoot } from '@platform/platform/environment';
import { startExtraEdge, type ExtraEdge } from '@platform/dev/stack/envoy';
import { claimsOf, serviceToken, userToken } from '@platform/test-support/tokens';
import { loadAccessMap } from '@platform/platform/access-map';
import type { ServiceName } from '@platform/platform/environment';
import { containerPorts } from '@platform/platform/topology';
import { meshRecorded } from '@platform/dev/stack/mesh-mode';
import { inPod } from '@platform/dev/stack/mesh-network';

const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const env = loadEnvironment();

interface Figures {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function startServer(file: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
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

const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;

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
  billing: string,
): Promise<{ full: [Figures, Figures]; half: [Figures, Figures] } | undefined> {
  const mesh = env.mesh;
  if (!meshRecorded() || !mesh) return undefined;
  const headers = { authorization: `Bearer ${billing}` };
  // Alice's profile, looked up once through the port-forward, gives an id to ask for.
  const subject = String(claimsOf(token).sub);
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

const token = await userToken('alice');
const billingToken = await serviceToken('billing');
const bearer = { authorization: `Bearer ${token}` };
const bare = await startServer('bench/servers/bare-express.ts');
const kit = await startServer('bench/servers/kit-with-auth.ts');
const edge = await startBenchEdge();
try {
  const direct = `http://${env.services.user.host}:${env.services.user.port}/users/me`;
  const throughEdge = `${edge.url}/api/v1/users/me`;
  const results = [
    await measure('bare Express', `http://127.0.0.1:${bare.port}/hello`),
    await measure('kit + JWT', `http://127.0.0.1:${kit.port}/hello`, bearer),
    await measure('GET /users/me direct', direct, bearer),
    await measure('GET /users/me through the edge', throughEdge, bearer),
  ];
  const [baseline, kitFigures, directFigures, edgeFigures] = results as [Figures, Figures, Figures, Figures];
  const halfLoad = Math.max(1, Math.round(directFigures.requestsPerSecond / 2));
  const half = [
    await measure(`GET /users/me direct at ${halfLoad} req/s`, direct, bearer, halfLoad),
    await measure(`GET /users/me through the edge at ${halfLoad} req/s`, throughEdge, bearer, halfLoad),
  ];
  const [directHalf, edgeHalf] = half as [Figures, Figures];
  const mesh = await measureMesh(billingToken);
  const all = [...results, ...half, ...(mesh ? [...mesh.full, ...mesh.half] : [])];

  console.log(
    `\n${connections} connections, ${durationSeconds} s each, loopback, ${new Date().toISOString()}\n`,
  );
  console.log('| case | requests/s | p50 ms | p99 ms | non-2xx |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of all) {
    console.log(`| ${r.name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
  }
  console.log(
    `\nkit/bare throughput ratio: ${percent(kitFigures.requestsPerSecond, baseline.requestsPerSecond)} (target ≥ 50 %)`,
  );
  console.log(
    `edge/direct throughput ratio: ${percent(edgeFigures.requestsPerSecond, directFigures.requestsPerSecond)} (target ≥ 70 %)`,
  );
  console.log(
    `edge/direct p99 at half load: ${(edgeHalf.p99 / Math.max(directHalf.p99, 1)).toFixed(2)} × (target ≤ 2 ×)`,
  );
  if (mesh) {
    const [direct, sidecars] = mesh.full;
    const [directAtHalf, sidecarsAtHalf] = mesh.half;
    console.log(
      `mesh/direct throughput ratio (billing → user): ${percent(sidecars.requestsPerSecond, direct.requestsPerSecond)} (target ≥ 80 %)`,
    );
    console.log(
      `mesh/direct p99 at half load: ${(sidecarsAtHalf.p99 / Math.max(directAtHalf.p99, 1)).toFixed(2)} × (target ≤ 1.5 ×)`,
    );
  } else {
    console.log('mesh: not measured, the stack runs without the local mesh (npm run stack)');
  }
  for (const r of all) {
    if (r.non2xx > 0) console.log(`warning: ${r.non2xx} responses of "${r.name}" were not 2xx`);
  }
} finally {
  bare.child.kill();
  kit.child.kill();
  await edge.stop();
}
