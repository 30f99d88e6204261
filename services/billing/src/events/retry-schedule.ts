import { backoffDelay } from '@platform/kit';

/**
 * When a lifecycle event fails (the handlers call nothing but billing's own database, so
 * typically: the database failed mid-transaction, e.g. a failover), it waits in the retry
 * queue for ceiling/2 … ceiling, where the ceiling doubles from 2 s up to 30 s (the kit's
 * jittered backoff). With 12 attempts the 11 waits add up to at least 2 minutes
 * (1+2+4+8+7×15 s = 120 s) and at most 4 minutes, so an outage of a minute or two is outlived;
 * after the 12th failure the event goes to the DLQ.
 */
export const lifecycleMaxAttempts = 12;

/** The wait after failed attempt `attempt` (1-based). */
export const lifecycleBackoffMs = (attempt: number): number =>
  backoffDelay(attempt, { initialMs: 2_000, maxMs: 30_000 });
