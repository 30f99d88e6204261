/**
 * A reading taken while Prometheus scrapes (a count in the database, a queue depth). Several
 * gauges fed by one reading share it within one scrape, and a slow source is cut off so
 * /metrics always answers before the scrape times out.
 */
export function scrapeTimeRead<T>(read: () => Promise<T>, timeoutMs: number): () => Promise<T> {
  let latest: { at: number; value: Promise<T> } | undefined;
  return () => {
    // One scrape collects its gauges within milliseconds; a second later is the next scrape.
    if (latest && Date.now() - latest.at < 1000) return latest.value;
    const value = withTimeout(read(), timeoutMs);
    latest = { at: Date.now(), value };
    return value;
  };
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
