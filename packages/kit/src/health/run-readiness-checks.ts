import type { ReadinessCheck } from '../readiness-check.js';

export interface ReadinessReport {
  readonly status: 'ready' | 'unready';
  /** 'ok', or why the dependency is not usable. */
  readonly checks: Readonly<Record<string, string>>;
}

/** Runs every check at once, each bounded so one hung dependency cannot hang the probe. */
export async function runReadinessChecks(
  checks: readonly ReadinessCheck[],
  timeoutMs: number,
): Promise<ReadinessReport> {
  const outcomes = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return {
    status: outcomes.every(([, outcome]) => outcome === 'ok') ? 'ready' : 'unready',
    checks: Object.fromEntries(outcomes),
  };
}

function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
