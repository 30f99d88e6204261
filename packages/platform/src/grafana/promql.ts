/** PromQL shapes the dashboards repeat. Grafana fills in `$__rate_interval` (at least four scrapes). */

export const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;

/**
 * The share of `part` in `whole`, both summed by `by`. It is 0, not empty, while `part` has no
 * series at all (no request has failed yet), so a panel says "no errors" rather than "no data".
 */
export function share(part: string, whole: string, by: string): string {
  return `(sum by (${by}) (${part}) or sum by (${by}) (${whole}) * 0) / sum by (${by}) (${whole})`;
}

/** The q-quantile of a Prometheus histogram, per `by`. */
export function quantile(q: number, bucket: string, by: string): string {
  const groups = by ? `${by}, le` : 'le';
  return `histogram_quantile(${q}, sum by (${groups}) (rate(${bucket}[$__rate_interval])))`;
}

/** The HTTP request counter of the services (prom-client histogram), with label matchers. */
export const requests = (matchers = '') => `http_request_duration_seconds_count{${matchers}}`;
export const requestBuckets = (matchers = '') => `http_request_duration_seconds_bucket{${matchers}}`;
