/**
 * When a lifecycle event fails (typically: the user service is down), it waits in the retry
 * queue for ceiling/2 … ceiling, where the ceiling doubles from 2 s up to 30 s. With 12 attempts
 * the 11 waits add up to at least 2 minutes (1+2+4+8+7×15 s = 120 s) and at most 4 minutes,
 * so an outage of a minute or two is outlived; after the 12th failure the event goes to the DLQ.
 */
export const lifecycleMaxAttempts = 12;

const initialMs = 2_000;
const maxMs = 30_000;

/** The ceiling for a retry after failed attempt `attempt` (1-based). */
export function retryCeilingMs(attempt: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}

/** Jittered, so events that failed together (an outage) do not all come back in the same instant. */
export function lifecycleBackoffMs(attempt: number): number {
  const ceiling = retryCeilingMs(attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
