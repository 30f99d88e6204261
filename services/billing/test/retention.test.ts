import { randomUUID } from 'node:crypto';
import type { RunningService } from '@platform/kit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceDatabase } from '@platform/test-support/postgres';
import { startSecondInstance, stopSecondInstance } from '@platform/test-support/service-instance';
import { managementUrl } from '@platform/test-support/stack';
import { service } from '../src/service.js';

const day = "interval '1 day'";

/** One sample of `name` with `table="<table>"` from a Prometheus text exposition, or undefined. */
function sample(exposition: string, name: string, table: string): number | undefined {
  const line = exposition
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(`table="${table}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

// Rows are written into billing's own database with old timestamps, then a second billing
// instance (the production definition: the kit's rules plus billing's idempotency records) runs
// the pruner once. Everything written here is keyed by this run, so the assertions see only it.
describe('retention of billing’s growing tables', () => {
  const run = randomUUID().slice(0, 8);
  const caller = `retention-test-${run}`;
  const consumer = `billing-test-${run}.retention`;
  let db: pg.Pool;
  let instance: RunningService | undefined;

  beforeAll(async () => {
    db = serviceDatabase('billing');
    instance = await startSecondInstance('billing', service);
  });

  afterAll(async () => {
    await stopSecondInstance(instance);
    await db?.query('DELETE FROM idempotency_records WHERE caller = $1', [caller]);
    await db?.query('DELETE FROM processed_messages WHERE consumer = $1', [consumer]);
    await db?.query(`DELETE FROM outbox_events WHERE type = $1`, [`billing-test.${run}`]);
    await db?.end();
  });

  async function idempotencyRecord(key: string, daysAgo: number) {
    await db.query(
      `INSERT INTO idempotency_records (caller, idempotency_key, request_fingerprint, response_status, response_body, created_at)
       VALUES ($1, $2, 'fingerprint', 201, '{}'::jsonb, now() - $3::int * ${day})`,
      [caller, key, daysAgo],
    );
  }

  async function processedMessage(daysAgo: number): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO processed_messages (consumer, message_id, processed_at) VALUES ($1, $2, now() - $3::int * ${day})`,
      [consumer, id, daysAgo],
    );
    return id;
  }

  /** Already published (the relay leaves it alone), `daysAgo` days ago. */
  async function publishedEvent(daysAgo: number): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO outbox_events (id, type, payload, created_at, published_at)
       VALUES ($1, $2, '{}'::jsonb, now() - ($3::int + 1) * ${day}, now() - $3::int * ${day})`,
      [id, `billing-test.${run}`, daysAgo],
    );
    return id;
  }

  it('when rows are past their windows, then one run prunes exactly those: idempotency records after 7 days, processed messages after 14, published events after 7', async () => {
    await idempotencyRecord('expired', 8);
    await idempotencyRecord('within-window', 6);
    await idempotencyRecord('fresh', 0);
    const expiredMessage = await processedMessage(15);
    const keptMessage = await processedMessage(13);
    const expiredEvent = await publishedEvent(8);
    const keptEvent = await publishedEvent(6);

    const pruned = await instance!.retention.pruneOnce();

    expect(pruned.map((entry) => entry.table)).toEqual([
      'outbox_events',
      'processed_messages',
      'idempotency_records',
    ]);
    const { rows: keys } = await db.query<{ idempotency_key: string }>(
      'SELECT idempotency_key FROM idempotency_records WHERE caller = $1 ORDER BY idempotency_key',
      [caller],
    );
    expect(keys.map((row) => row.idempotency_key)).toEqual(['fresh', 'within-window']);
    const { rows: messages } = await db.query<{ message_id: string }>(
      'SELECT message_id FROM processed_messages WHERE consumer = $1',
      [consumer],
    );
    expect(messages.map((row) => row.message_id)).toEqual([keptMessage]);
    expect(messages.map((row) => row.message_id)).not.toContain(expiredMessage);
    const { rows: events } = await db.query<{ id: string }>('SELECT id FROM outbox_events WHERE type = $1', [
      `billing-test.${run}`,
    ]);
    expect(events.map((row) => row.id)).toEqual([keptEvent]);
    expect(events.map((row) => row.id)).not.toContain(expiredEvent);
  });

  it('when the management port is scraped, then it shows each retained table’s size and the rows pruned from it', async () => {
    const exposition = await (await fetch(`${instance!.managementUrl}/metrics`)).text();

    for (const table of ['outbox_events', 'processed_messages', 'idempotency_records']) {
      expect(sample(exposition, 'app_retention_table_rows', table), table).toBeGreaterThanOrEqual(0);
    }
    // The previous test pruned at least its own expired record through this instance.
    expect(
      sample(exposition, 'app_retention_pruned_rows_total', 'idempotency_records'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(exposition, 'app_retention_pruned_rows_total', 'processed_messages'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('when the stack’s own billing service is scraped, then its retained tables are reported too', async () => {
    const exposition = await (await fetch(`${managementUrl('billing')}/metrics`)).text();

    expect(sample(exposition, 'app_retention_table_rows', 'idempotency_records')).toBeGreaterThanOrEqual(0);
    expect(sample(exposition, 'app_retention_pruned_rows_total', 'outbox_events')).toBeGreaterThanOrEqual(0);
  });
});
