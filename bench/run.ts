/**
 * Measures, in one run on this machine, a bare Express app against the kit's app with the JWT
 * check (a real Keycloak token, JWKS cached) on the same route, and prints the ratios.
 * Loopback only; every load is bounded in time. Needs the local stack (`npm run stack`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { repoRoot } from '../dev/environment.js';
import { userToken } from '../e2e/support/tokens.js';

const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

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

async function measure(name: string, url: string, headers: Record<string, string> = {}): Promise<Figures> {
  // A short warm-up so JIT, connection pools and the JWKS cache are hot before measuring.
  await autocannon({ url, headers, connections, duration: 2 });
  const result = await autocannon({ url, headers, connections, duration: durationSeconds });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}

const token = await userToken('alice');
const bare = await startServer('bench/servers/bare-express.ts');
const kit = await startServer('bench/servers/kit-with-auth.ts');
try {
  const results = [
    await measure('bare Express', `http://127.0.0.1:${bare.port}/hello`),
    await measure('kit + JWT', `http://127.0.0.1:${kit.port}/hello`, { authorization: `Bearer ${token}` }),
  ];
  console.log(`\n${connections} connections, ${durationSeconds} s each, loopback, ${new Date().toISOString()}\n`);
  console.log('| case | requests/s | p50 ms | p99 ms | non-2xx |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
  }
  const [baseline, candidate] = results as [Figures, Figures];
  const ratio = candidate.requestsPerSecond / baseline.requestsPerSecond;
  console.log(`\nkit/bare throughput ratio: ${(ratio * 100).toFixed(1)} % (target ≥ 50 %)`);
  if (candidate.non2xx > 0) console.log(`warning: ${candidate.non2xx} kit responses were not 2xx`);
} finally {
  bare.child.kill();
  kit.child.kill();
}
