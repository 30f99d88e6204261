import { environment } from '@platform/test-support/stack';

const base = `http://${environment.prometheus.host}:${environment.prometheus.port}`;

export type QueryOutcome = { ok: true; series: number } | { ok: false; error: string };

/** Evaluates an instant query against the stack's Prometheus. */
export async function instantQuery(expr: string): Promise<QueryOutcome> {
  const response = await fetch(`${base}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: expr }),
  });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown[] | [number, string] };
  };
  if (body.status !== 'success') return { ok: false, error: body.error ?? `status ${response.status}` };
  const result = body.data?.result;
  const series = body.data?.resultType === 'scalar' ? 1 : Array.isArray(result) ? result.length : 0;
  return { ok: true, series };
}

/** Every metric name Prometheus holds series for (scraped or recorded). */
export async function knownMetricNames(): Promise<Set<string>> {
  const response = await fetch(`${base}/api/v1/label/__name__/values`);
  return new Set(((await response.json()) as { data: string[] }).data);
}
