import { days, retentionRule } from '@platform/kit';

/**
 * How long a stored payment response is kept. Within the window a retry with the same
 * Idempotency-Key gets the first response back instead of paying twice; after it, the key is
 * treated as new. So it must outlast any client's retry horizon: an HTTP client retries within
 * seconds, a job or queue worker that failed may run again the next day, or after a weekend or
 * a week-long outage of its own. 7 days covers all of those (common practice keeps keys at least
 * 24 hours); the stored responses are small, so a week of them costs little.
 */
export const idempotencyRetention = retentionRule({
  table: 'idempotency_records',
  agedBy: 'created_at',
  retainMs: days(7),
});
