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
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const { rows } = await pool.query<Row>({ name, text, values });
  return rows;
}
