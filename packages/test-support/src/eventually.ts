import { setTimeout as sleep } from 'node:timers/promises';

export interface Patience {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names the awaited state in the error when it never comes. */
  what?: string;
}

/**
 * Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`:
 * services react to events and to each other asynchronously, so tests wait for the outcome.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 100, what = 'the expected state' }: Patience = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
