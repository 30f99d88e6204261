import type { Transaction } from '@platform/kit';
import type { KeycloakAdminEvent, KeycloakUserEvent } from './keycloak-events.js';
import type { IdentitySnapshot, IdentityState } from './identity-snapshot.js';

/** Keycloak as the bridge reads it. Failures are the kit's dependency errors. */
export interface KeycloakEventLog {
  /** Admin events about users at or after `fromMs` (Keycloak's clock), oldest first, at most `max`. */
  adminEvents(fromMs: number, max: number): Promise<KeycloakAdminEvent[]>;
  /** The bridged user events at or after `fromMs`, oldest first, at most `max`. */
  userEvents(fromMs: number, max: number): Promise<KeycloakUserEvent[]>;
  /** A person as Keycloak holds them now; undefined when gone (or a service account). */
  person(id: string): Promise<IdentityState | undefined>;
  /** Every person of the realm (no service accounts), read page by page. */
  people(): AsyncIterable<IdentityState>;
  /** The id of a client's service-account user: the actor of the admin events that client causes. */
  serviceAccountUserId(clientId: string): Promise<string | undefined>;
}

/** Which log an event came from; event ids are unique within one. */
export type EventLogName = 'admin' | 'user';

/** The bridge's own state in the auth database, read and written inside one cycle's transaction. */
export interface IdentityBridgeState {
  /** The transaction-scoped advisory lock: true for at most one replica at a time. */
  tryLock(tx: Transaction): Promise<boolean>;
  /** Up to where (Keycloak's time, ms) every event has been bridged; undefined before the first run. */
  cursor(tx: Transaction): Promise<number | undefined>;
  saveCursor(tx: Transaction, positionMs: number): Promise<void>;
  /** Ids of the events of `log` bridged at or after `fromMs`. */
  bridgedEventIds(tx: Transaction, log: EventLogName, fromMs: number): Promise<Set<string>>;
  rememberBridged(
    tx: Transaction,
    log: EventLogName,
    events: readonly { id: string; time: number }[],
  ): Promise<void>;
  /** Drops the ids of events older than `beforeMs`: they can no longer be read again. */
  forgetBridgedBefore(tx: Transaction, beforeMs: number): Promise<void>;
  /** Snapshots by user id; every one (tombstones included) when `ids` is not given. */
  snapshots(tx: Transaction, ids?: readonly string[]): Promise<Map<string, IdentitySnapshot>>;
  saveSnapshot(tx: Transaction, snapshot: IdentitySnapshot): Promise<void>;
}
