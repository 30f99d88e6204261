import type { DataSource } from 'typeorm';
import type { OutboxBacklog } from '../metrics/outbox-metrics.js';

/** Unpublished events and the age of the oldest, from the partial index on unpublished rows. */
export async function readOutboxBacklog(dataSource: DataSource): Promise<OutboxBacklog> {
  const rows: { pending: number; oldest_age_seconds: number }[] = await dataSource.query(
    `SELECT count(*)::int AS pending,
            COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)), 0)::float8 AS oldest_age_seconds
       FROM outbox_events
      WHERE published_at IS NULL`,
  );
  const row = rows[0];
  return { pending: row?.pending ?? 0, oldestAgeSeconds: Math.max(0, row?.oldest_age_seconds ?? 0) };
}
