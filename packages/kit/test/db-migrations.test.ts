import type { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@platform/test-support/postgres';
import { createDataSource } from '../src/db/create-data-source.js';
import { databaseReadinessCheck } from '../src/db/database-readiness-check.js';
import { runMigrations } from '../src/db/run-migrations.js';
import { kitEntities, kitMigrations } from '../src/messaging/kit-migrations.js';

const logger = pino({ level: 'silent' });

/** A table only this test's entity describes: synchronize would create it, migrations never do. */
@Entity({ name: 'never_synchronized' })
class NeverSynchronized {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'text' })
  name!: string;
}

describe('database migrations', () => {
  let database: ThrowawayDatabase;
  const opened: DataSource[] = [];

  async function openDataSource(databaseUrl = database.url): Promise<DataSource> {
    const dataSource = createDataSource({
      url: databaseUrl,
      entities: [...kitEntities, NeverSynchronized],
      migrations: kitMigrations,
      logger,
      applicationName: 'kit-db-test',
    });
    opened.push(dataSource);
    return dataSource.initialize();
  }

  async function tables(dataSource: DataSource): Promise<string[]> {
    const rows: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    return rows.map((row) => row.table_name);
  }

  beforeAll(async () => {
    database = await createThrowawayDatabase('kit_test');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((dataSource) => dataSource.isInitialized && dataSource.destroy()));
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('when a data source initializes, then it creates no tables from entities', async () => {
    const dataSource = await openDataSource();

    expect(await tables(dataSource)).toEqual([]);
  });

  it('when migrations run on an empty database, then they create the outbox and processed-messages tables', async () => {
    const dataSource = await openDataSource();

    const ran = await runMigrations(dataSource);

    expect(ran).toEqual([
      'CreateOutboxEvents1735689600000',
      'CreateProcessedMessages1735689600001',
      'IndexPrunableMessages1735689600002',
      'NotifyOutboxInserts1735689600003',
    ]);
    expect(await tables(dataSource)).toEqual(['migrations', 'outbox_events', 'processed_messages']);
    const outboxColumns: { column_name: string; data_type: string; is_nullable: string }[] =
      await dataSource.query(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = 'outbox_events' ORDER BY ordinal_position`,
      );
    expect(outboxColumns).toEqual([
      { column_name: 'id', data_type: 'uuid', is_nullable: 'NO' },
      { column_name: 'type', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'payload', data_type: 'jsonb', is_nullable: 'NO' },
      { column_name: 'created_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'published_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
      { column_name: 'attempts', data_type: 'integer', is_nullable: 'NO' },
      { column_name: 'last_error', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'next_attempt_at', data_type: 'timestamp with time zone', is_nullable: 'YES' },
    ]);
    const indexes: { indexdef: string }[] = await dataSource.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'outbox_events_unpublished_idx'`,
    );
    expect(indexes).toEqual([
      {
        indexdef:
          'CREATE INDEX outbox_events_unpublished_idx ON public.outbox_events USING btree (created_at) WHERE (published_at IS NULL)',
      },
    ]);
    const processedColumns: { column_name: string; data_type: string }[] = await dataSource.query(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_name = 'processed_messages' ORDER BY ordinal_position`,
    );
    expect(processedColumns).toEqual([
      { column_name: 'consumer', data_type: 'text' },
      { column_name: 'message_id', data_type: 'uuid' },
      { column_name: 'processed_at', data_type: 'timestamp with time zone' },
    ]);
    const triggers: { definition: string }[] = await dataSource.query(
      `SELECT pg_get_triggerdef(oid) AS definition FROM pg_trigger
        WHERE tgrelid = 'outbox_events'::regclass AND NOT tgisinternal`,
    );
    expect(triggers).toEqual([
      {
        definition:
          'CREATE TRIGGER outbox_events_notify AFTER INSERT ON public.outbox_events FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify()',
      },
    ]);
  });

  it('when a transaction inserts outbox rows, then its commit notifies the outbox channel once', async () => {
    const dataSource = await openDataSource();
    const runner = dataSource.createQueryRunner();
    const client = (await runner.connect()) as EventEmitter;
    const notified: string[] = [];
    client.on('notification', (message: { channel: string }) => notified.push(message.channel));
    try {
      await runner.query('LISTEN outbox_events');
      await dataSource.transaction(async (manager) => {
        for (let index = 0; index < 3; index += 1) {
          await manager.query(
            `INSERT INTO outbox_events (id, type, payload) VALUES (gen_random_uuid(), 'x', '{}')`,
          );
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(notified).toEqual(['outbox_events']);
    } finally {
      await runner.query('UNLISTEN outbox_events');
      await runner.release();
    }
  });

  it('when migrations run again, then nothing runs and each migration is recorded once', async () => {
    const dataSource = await openDataSource();

    const ran = await runMigrations(dataSource);

    expect(ran).toEqual([]);
    const recorded: { name: string }[] = await dataSource.query(`SELECT name FROM migrations ORDER BY id`);
    expect(recorded).toEqual([
      { name: 'CreateOutboxEvents1735689600000' },
      { name: 'CreateProcessedMessages1735689600001' },
      { name: 'IndexPrunableMessages1735689600002' },
      { name: 'NotifyOutboxInserts1735689600003' },
    ]);
  });

  it('when two replicas run migrations on a fresh database at once, then each migration runs exactly once', async () => {
    const fresh = await createThrowawayDatabase('kit_test');
    try {
      const [first, second] = await Promise.all([openDataSource(fresh.url), openDataSource(fresh.url)]);

      const results = await Promise.all([runMigrations(first), runMigrations(second)]);

      expect(results.map((names) => names.length).sort()).toEqual([0, 4]);
      const recorded: { name: string }[] = await first.query(`SELECT name FROM migrations ORDER BY id`);
      expect(recorded).toEqual([
        { name: 'CreateOutboxEvents1735689600000' },
        { name: 'CreateProcessedMessages1735689600001' },
        { name: 'IndexPrunableMessages1735689600002' },
        { name: 'NotifyOutboxInserts1735689600003' },
      ]);
    } finally {
      await Promise.all(opened.splice(0).map((dataSource) => dataSource.destroy()));
      await fresh.drop();
    }
  });

  it('when the database answers, then the readiness check passes', async () => {
    const dataSource = await openDataSource();
    const check = databaseReadinessCheck(dataSource);

    expect(check.name).toBe('database');
    await expect(check.check()).resolves.toBeUndefined();
  });

  it('when the data source is closed, then the readiness check fails', async () => {
    const dataSource = await openDataSource();
    await dataSource.destroy();

    await expect(databaseReadinessCheck(dataSource).check()).rejects.toThrow(
      'the database connection is not initialized',
    );
  });
});
