import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * One statement run on the DataSource's own connection pool as a named prepared statement: each
 * connection parses and plans it once, and no TypeORM query runner or entity mapping is built per
 * call. For the few reads on a hot path (a request's own row); everything else goes through the
 * repositories. `name` must be unique per statement text. Failures are node-postgres' own errors,
 * which isDatabaseUnavailable recognises like TypeORM's.
 */
export async function preparedQuery<Row extends QueryResultRow>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  // TypeORM's postgres driver keeps its pool in `master` (undocumented: a kit test guards it).
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (typeof pool?.query !== 'function') {
    throw new Error("preparedQuery: TypeORM's pg pool is not at driver.master (did TypeORM change?)");
  }
  const { rows } = await pool.query<Row>({ name, text, values });
  return rows;
}
