/**
 * The benchmark's load generator for the local mesh, started inside a pod (`ip netns exec`), so it
 * calls what the service there would call: its own sidecar's outbound listener, or (for the
 * direct baseline) the service on its pod's loopback. Takes one JSON argument (url, headers,
 * connections, duration, optional rate; warm-up first) and prints the figures as one JSON line.
 */
import autocannon from 'autocannon';

const { url, headers, connections, duration, overallRate } = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  headers: Record<string, string>;
  connections: number;
  duration: number;
  overallRate?: number;
};

await autocannon({ url, headers, connections, duration: 2 });
const result = await autocannon({
  url,
  headers,
  connections,
  duration,
  ...(overallRate ? { overallRate } : {}),
});
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  })}\n`,
);
