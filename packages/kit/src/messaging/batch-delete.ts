import type { DataSource } from 'typeorm';
import type { RetentionRule } from './retention-rule.js';

/** How long a batch waits for a lock (another replica's batch, a migration) before giving up. */
const lockTimeout = '5s';

/**
 * Deletes at most `batchSize` rows of `rule.table` past their window, in one short transaction of
 * its own, and returns how many went.
 *
 * Replicas pruning at once take turns per batch on a transaction-scoped advisory lock named after
 * the table, so they never scan the same rows twice; the other waits milliseconds, then finds the
 * rows gone. Rows are addressed by `ctid` so one statement works for any table whatever its key:
 * `ctid = ANY(ARRAY(…))` is a TID scan, and the rows are locked (FOR UPDATE) between being picked
 * and deleted, so no row can move in between. SKIP LOCKED: a row an application transaction holds
 * is left for the next batch rather than waited for.
 */
export async function deleteExpiredBatch(
  dataSource: DataSource,
  rule: RetentionRule,
  batchSize: number,
): Promise<number> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SET LOCAL lock_timeout = '${lockTimeout}'`);
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`platform:retention:${rule.table}`]);
    // Counted in SQL: TypeORM answers a bare DELETE with [rows, rowCount] rather than rows.
    const [{ deleted }]: [{ deleted: number }] = await manager.query(
      `WITH gone AS (
         DELETE FROM ${rule.table}
          WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM ${rule.table}
             WHERE ${rule.agedBy} < now() - $1::float8 * interval '1 millisecond'
             LIMIT $2
             FOR UPDATE SKIP LOCKED))
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [Math.round(rule.retainMs), batchSize],
    );
    return deleted;
  });
}
