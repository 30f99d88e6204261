import type pg from 'pg';
import { invalidateCached } from '@platform/test-support/cache-invalidations';
import { userRowsCache } from '../../src/service.js';

/** What the user service stored, read straight from its database. */
export interface UserRow {
  id: string;
  subject: string;
  username: string | null;
  display_name: string | null;
  avatar_url: string | null;
  status: string;
  settings: Record<string, unknown>;
  version: number;
  /** When the last identity event was applied; null for a row only a first call provisioned. */
  identity_event_at: Date | null;
}

export async function rowsOf(db: pg.Pool, subject: string): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE subject = $1', [subject]);
  return rows;
}

export async function rowOf(db: pg.Pool, subject: string): Promise<UserRow | undefined> {
  return (await rowsOf(db, subject))[0];
}

/** Outbox rows (published or not) of one event type about one subject. */
export async function outboxEventsAbout(db: pg.Pool, type: string, subject: string): Promise<unknown[]> {
  const { rows } = await db.query<{ payload: unknown }>(
    `SELECT payload FROM outbox_events WHERE type = $1 AND payload->>'subject' = $2`,
    [type, subject],
  );
  return rows.map((row) => row.payload);
}

/** Deletes the rows and has every replica forget them, as it would after a change of its own. */
export async function deleteRows(db: pg.Pool, subjects: readonly string[]): Promise<void> {
  await db.query('DELETE FROM users WHERE subject = ANY($1)', [subjects]);
  await invalidateCached(userRowsCache, subjects);
}
