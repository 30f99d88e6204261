import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@platform/test-support/postgres';
import { createDataSource } from '../src/db/create-data-source.js';
import { preparedQuery } from '../src/db/prepared-query.js';

// preparedQuery reaches TypeORM's pool through a field TypeORM does not document: an upgrade that
// moves it fails here, not on a service's hot path.
describe('preparedQuery', () => {
  let database: ThrowawayDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createThrowawayDatabase('kit_prepared');
    dataSource = await createDataSource({
      url: database.url,
      entities: [],
      migrations: [],
      logger: pino({ level: 'silent' }),
      applicationName: 'kit-prepared-query-test',
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('when a statement runs twice, then it runs on the DataSource’s own pool as a named prepared statement', async () => {
    const read = () =>
      preparedQuery<{ app: string; prepared: number }>(
        dataSource,
        'kit-test-read',
        `SELECT current_setting('application_name') AS app,
                (SELECT count(*)::int FROM pg_prepared_statements WHERE name = $1) AS prepared`,
        ['kit-test-read'],
      );

    await read();
    const [row] = await read();

    expect(row).toEqual({ app: 'kit-prepared-query-test', prepared: 1 });
  });

  it('when the DataSource keeps no pg pool where it is looked for, then the call says so', async () => {
    const withoutPool = { driver: {} } as unknown as DataSource;

    await expect(preparedQuery(withoutPool, 'kit-test-none', 'SELECT 1', [])).rejects.toThrow(
      /TypeORM's pg pool/,
    );
  });
});
