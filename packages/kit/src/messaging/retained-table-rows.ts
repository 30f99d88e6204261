import type { DataSource } from 'typeorm';

/**
 * Estimated live rows of each table, from PostgreSQL's own statistics (pg_stat_user_tables
 * n_live_tup): nothing is scanned, so it is cheap on every scrape however large the tables grow.
 * It follows inserts and deletes within seconds (a backend reports its counts when it goes idle)
 * and is re-based by every vacuum and analyze. `count(*)` would be exact but reads the whole
 * table, which is what a table that grew unpruned cannot afford every few seconds.
 */
export async function readRetainedTableRows(
  dataSource: DataSource,
  tables: readonly string[],
): Promise<ReadonlyMap<string, number>> {
  const rows: { table: string; rows: number }[] = await dataSource.query(
    `SELECT relname AS table, n_live_tup::float8 AS rows
       FROM pg_stat_user_tables
      WHERE schemaname = current_schema() AND relname = ANY($1::text[])`,
    [tables],
  );
  return new Map(rows.map((row) => [row.table, row.rows]));
}
