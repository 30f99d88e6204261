/**
 * The retention pruner against the stack's real PostgreSQL, on a throwaway database holding the
 * kit's tables: what goes, what stays, batches, replicas pruning at once, indexes, metrics.
 */
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '@platform/test-support/eventually';
import { serviceConfigSchema } from '../src/config/service-config.js';
import { readRetainedTableRows } from '../src/messaging/retained-table-rows.js';
import { RetentionPruner } from '../src/messaging/retention-pruner.js';
import { kitRetentionRules } from '../src/messaging/retention-rule.js';
import { createMetrics, type Metrics } from '../src/metrics/create-metrics.js';
import { openKitDatabase, type KitDatabase } from './messaging-fixtures.js';

const logger = pino({ level: 'silent' });

/** The kit's defaults (7 days for published outbox rows, 14 for processed messages). */
const defaults = serviceConfigSchema
  .pick({ OUTBOX_RETENTION_DAYS: true, PROCESSED_MESSAGES_RETENTION_DAYS: true })
  .parse({});

async function seriesValue(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = registry.getSingleMetric(name);
  const { values } = (await metric?.get()) ?? { values: [] };
  return values.find((value) =>
    Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  )?.value;
}

describe('retention pruner', () => {
  let database: KitDatabase;
  let dataSource: DataSource;
  let metrics: Metrics;

  function pruner(batchSize = 1000): RetentionPruner {
    return new RetentionPruner({
      dataSource,
      rules: kitRetentionRules(defaults),
      logger,
      batchSize,
      intervalMs: 60_000,
      metrics: metrics.retention,
    });
  }

  /** Outbox rows created `createdDaysAgo`, published `publishedDaysAgo` (null: not yet). */
  async function outboxRows(count: number, createdDaysAgo: number, publishedDaysAgo: number | null) {
    const rows: { id: string }[] = await dataSource.query(
      `INSERT INTO outbox_events (id, type, payload, created_at, published_at)
       SELECT gen_random_uuid(), 'kit-test.retention', '{}'::jsonb,
              now() - $2::int * interval '1 day',
              now() - $3::int * interval '1 day'
         FROM generate_series(1, $1::int)
       RETURNING id`,
      [count, createdDaysAgo, publishedDaysAgo],
    );
    return rows.map((row) => row.id);
  }

  async function processedRows(count: number, daysAgo: number) {
    const rows: { message_id: string }[] = await dataSource.query(
      `INSERT INTO processed_messages (consumer, message_id, processed_at)
       SELECT 'kit-test.retention', gen_random_uuid(), now() - $2::int * interval '1 day'
         FROM generate_series(1, $1::int)
       RETURNING message_id`,
      [count, daysAgo],
    );
    return rows.map((row) => row.message_id);
  }

  async function remaining(table: 'outbox_events' | 'processed_messages', ids: string[]) {
    const key = table === 'outbox_events' ? 'id' : 'message_id';
    const rows: { n: number }[] = await dataSource.query(
      `SELECT count(*)::int AS n FROM ${table} WHERE ${key} = ANY($1::uuid[])`,
      [ids],
    );
    return rows[0]!.n;
  }

  beforeAll(async () => {
    database = await openKitDatabase(logger);
    dataSource = database.dataSource;
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE outbox_events, processed_messages');
    metrics = createMetrics({ service: 'kit-test' });
  });

  afterAll(async () => {
    await database?.close();
  });

  it('when rows are past their windows, then only those go: unpublished outbox rows stay however old', async () => {
    const publishedLongAgo = await outboxRows(3, 9, 8);
    const publishedRecently = await outboxRows(3, 9, 6);
    const neverPublished = await outboxRows(3, 30, null);
    const processedLongAgo = await processedRows(3, 15);
    const processedRecently = await processedRows(3, 13);

    const pruned = await pruner().pruneOnce();

    expect(pruned).toEqual([
      { table: 'outbox_events', deleted: 3, batches: 1 },
      { table: 'processed_messages', deleted: 3, batches: 1 },
    ]);
    expect(await remaining('outbox_events', publishedLongAgo)).toBe(0);
    expect(await remaining('outbox_events', publishedRecently)).toBe(3);
    expect(await remaining('outbox_events', neverPublished)).toBe(3);
    expect(await remaining('processed_messages', processedLongAgo)).toBe(0);
    expect(await remaining('processed_messages', processedRecently)).toBe(3);
    expect(
      await seriesValue(metrics.registry, 'app_retention_pruned_rows_total', { table: 'outbox_events' }),
    ).toBe(3);
  });

  it('when more rows are past their window than one batch holds, then every one goes, batch after batch', async () => {
    await processedRows(1050, 20);
    const kept = await processedRows(10, 1);

    const pruned = await pruner(100).pruneOnce();

    expect(pruned).toContainEqual({ table: 'processed_messages', deleted: 1050, batches: 11 });
    const rows: { n: number }[] = await dataSource.query('SELECT count(*)::int AS n FROM processed_messages');
    expect(rows[0]!.n).toBe(10);
    expect(await remaining('processed_messages', kept)).toBe(10);
  });

  it('when two replicas prune at the same time, then together they delete each row once and neither fails', async () => {
    await outboxRows(2000, 10, 9);
    await processedRows(2000, 20);

    const [first, second] = await Promise.all([pruner(100).pruneOnce(), pruner(100).pruneOnce()]);

    const deleted = (table: string) =>
      [...first, ...second]
        .filter((entry) => entry.table === table)
        .reduce((sum, entry) => sum + entry.deleted, 0);
    expect(deleted('outbox_events')).toBe(2000);
    expect(deleted('processed_messages')).toBe(2000);
    const rows: { outbox: number; processed: number }[] = await dataSource.query(
      `SELECT (SELECT count(*)::int FROM outbox_events) AS outbox,
              (SELECT count(*)::int FROM processed_messages) AS processed`,
    );
    expect(rows[0]).toEqual({ outbox: 0, processed: 0 });
  });

  it('when a batch looks for expired rows, then an index finds them, never a scan of the table', async () => {
    const plans = await dataSource.transaction(async (manager) => {
      // Small tables make a sequential scan cheapest; switched off, only a usable index can avoid one.
      await manager.query('SET LOCAL enable_seqscan = off');
      const plan = async (table: string, column: string) => {
        const rows: { 'QUERY PLAN': string }[] = await manager.query(
          `EXPLAIN SELECT ctid FROM ${table} WHERE ${column} < now() - 1000::float8 * interval '1 millisecond' LIMIT 100`,
        );
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      };
      return [await plan('outbox_events', 'published_at'), await plan('processed_messages', 'processed_at')];
    });

    expect(plans[0]).toContain('outbox_events_published_idx');
    expect(plans[1]).toContain('processed_messages_processed_at_idx');
  });

  it('when the tables fill and are pruned, then the scrape shows their estimated sizes follow', async () => {
    // A database of its own: the other tests' truncations and late-reported deletes would skew
    // PostgreSQL's running estimate here until the next analyze.
    const own = await openKitDatabase(logger);
    try {
      const tables = ['outbox_events', 'processed_messages'];
      metrics.retention.observeTables(tables, () => readRetainedTableRows(own.dataSource, tables));
      await own.dataSource.query(
        `INSERT INTO processed_messages (consumer, message_id, processed_at)
         SELECT 'kit-test.retention', gen_random_uuid(), now() - (g % 2 * 20) * interval '1 day'
           FROM generate_series(1, 1000) g`,
      );
      const rowsOf = () =>
        seriesValue(metrics.registry, 'app_retention_table_rows', { table: 'processed_messages' });

      // PostgreSQL's statistics take a moment to include a commit.
      await eventually(async () => ((await rowsOf()) === 1000 ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 1_100,
        what: 'the estimate to show 1000 rows',
      });
      const pruned = await new RetentionPruner({
        dataSource: own.dataSource,
        rules: kitRetentionRules(defaults),
        logger,
        batchSize: 1000,
        intervalMs: 60_000,
        metrics: metrics.retention,
      }).pruneOnce();
      expect(pruned).toContainEqual({ table: 'processed_messages', deleted: 500, batches: 1 });
      await eventually(async () => ((await rowsOf()) === 500 ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 1_100,
        what: 'the estimate to show 500 rows after pruning',
      });
      expect(
        await seriesValue(metrics.registry, 'app_retention_pruned_rows_total', {
          table: 'processed_messages',
        }),
      ).toBe(500);
      expect(
        await seriesValue(metrics.registry, 'app_retention_table_rows', { table: 'outbox_events' }),
      ).toBe(0);
    } finally {
      await own.close();
    }
  });
});
