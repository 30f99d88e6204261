/**
 * Measures, in one run on this machine:
 * - a bare Express app against the kit's app with the JWT check (a real Keycloak token, JWKS cached)
 *   on the same route;
 * - GET /users/me with a valid token directly to the user service against the same request
 *   through the edge (a real Envoy rendered from the access map), at full load and at half of the
 *   direct throughput,
 * and prints the ratios. Loopback only; every load is bounded in time. Needs the local stack
 * (`npm run stack`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { loadEnvironment, repoRoot } from '@platform/platform/environment';
import { startExtraEdge, type ExtraEdge } from '@platform/dev/stack/envoy';
import { userToken } from '@platform/test-support/tokens';
import { loadAccessMap } from '@platform/platform/access-map';

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

const token = await userToken('alice');
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

  console.log(
    `\n${connections} connections, ${durationSeconds} s each, loopback, ${new Date().toISOString()}\n`,
  );
  console.log('| case | requests/s | p50 ms | p99 ms | non-2xx |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of [...results, ...half]) {
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
  for (const r of [...results, ...half]) {
    if (r.non2xx > 0) console.log(`warning: ${r.non2xx} responses of "${r.name}" were not 2xx`);
  }
} finally {
  bare.child.kill();
  kit.child.kill();
  await edge.stop();
}
