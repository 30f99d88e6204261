import { sqlMigration } from '@platform/kit';

/**
 * The retention pruner finds expired idempotency records by age (`idempotency-retention.ts`).
 * Not CONCURRENTLY, for the reason given in the kit's IndexPrunableMessages migration: payments
 * wait while it builds, once.
 */
export const IndexIdempotencyRecordsByAge1764200000000 = sqlMigration(
  'IndexIdempotencyRecordsByAge1764200000000',
  {
    up: ['CREATE INDEX idempotency_records_created_at_idx ON idempotency_records (created_at)'],
    down: ['DROP INDEX idempotency_records_created_at_idx'],
  },
);
