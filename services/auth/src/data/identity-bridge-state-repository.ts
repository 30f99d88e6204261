import { entityManagerOf, type Transaction } from '@platform/kit';
import type { EventLogName, IdentityBridgeState } from '../domain/identity-bridge/identity-bridge-ports.js';
import type { IdentitySnapshot } from '../domain/identity-bridge/identity-snapshot.js';

/**
 * The key of the bridge's transaction-scoped advisory lock in the auth database. Any constant
 * works as long as nothing else in this database uses it.
 */
export const identityBridgeLockKey = 7_311_190_019;

interface SnapshotRow {
  user_id: string;
  username: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  enabled: boolean;
  deleted: boolean;
}

/** The bridge's cursor, the ids it bridged recently, and its snapshots of people (plain SQL). */
export class IdentityBridgeStateRepository implements IdentityBridgeState {
  async tryLock(tx: Transaction): Promise<boolean> {
    const [row] = (await entityManagerOf(tx).query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      identityBridgeLockKey,
    ])) as { locked: boolean }[];
    return row?.locked === true;
  }

  async cursor(tx: Transaction): Promise<number | undefined> {
    const [row] = (await entityManagerOf(tx).query(
      'SELECT position_ms FROM identity_bridge_cursor WHERE id = 1',
    )) as { position_ms: string }[];
    return row === undefined ? undefined : Number(row.position_ms);
  }

  async saveCursor(tx: Transaction, positionMs: number): Promise<void> {
    await entityManagerOf(tx).query(
      `INSERT INTO identity_bridge_cursor (id, position_ms) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET position_ms = $1, updated_at = now()`,
      [positionMs],
    );
  }

  async bridgedEventIds(tx: Transaction, log: EventLogName, fromMs: number): Promise<Set<string>> {
    const rows = (await entityManagerOf(tx).query(
      'SELECT event_id FROM identity_bridge_events WHERE log = $1 AND occurred_at_ms >= $2',
      [log, fromMs],
    )) as { event_id: string }[];
    return new Set(rows.map((row) => row.event_id));
  }

  async rememberBridged(
    tx: Transaction,
    log: EventLogName,
    events: readonly { id: string; time: number }[],
  ): Promise<void> {
    for (const event of events) {
      await entityManagerOf(tx).query(
        'INSERT INTO identity_bridge_events (log, event_id, occurred_at_ms) VALUES ($1, $2, $3)',
        [log, event.id, event.time],
      );
    }
  }

  async forgetBridgedBefore(tx: Transaction, beforeMs: number): Promise<void> {
    await entityManagerOf(tx).query('DELETE FROM identity_bridge_events WHERE occurred_at_ms < $1', [
      beforeMs,
    ]);
  }

  async snapshots(tx: Transaction, ids?: readonly string[]): Promise<Map<string, IdentitySnapshot>> {
    const rows = (await (ids === undefined
      ? entityManagerOf(tx).query('SELECT * FROM identity_snapshots')
      : entityManagerOf(tx).query('SELECT * FROM identity_snapshots WHERE user_id = ANY($1)', [
          ids,
        ]))) as SnapshotRow[];
    return new Map(rows.map((row) => [row.user_id, snapshotOf(row)]));
  }

  async saveSnapshot(tx: Transaction, snapshot: IdentitySnapshot): Promise<void> {
    await entityManagerOf(tx).query(
      `INSERT INTO identity_snapshots (user_id, username, email, first_name, last_name, enabled, deleted)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (user_id) DO UPDATE SET username = $2, email = $3, first_name = $4, last_name = $5,
         enabled = $6, deleted = $7, updated_at = now()`,
      [
        snapshot.userId,
        snapshot.username ?? null,
        snapshot.email ?? null,
        snapshot.firstName ?? null,
        snapshot.lastName ?? null,
        snapshot.enabled,
        snapshot.deleted,
      ],
    );
  }
}

function snapshotOf(row: SnapshotRow): IdentitySnapshot {
  return {
    userId: row.user_id,
    username: row.username ?? undefined,
    email: row.email ?? undefined,
    firstName: row.first_name ?? undefined,
    lastName: row.last_name ?? undefined,
    enabled: row.enabled,
    deleted: row.deleted,
  };
}
