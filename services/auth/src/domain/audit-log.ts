import type { CursorPosition, Transaction } from '@platform/kit';

/** One administrative or identity change: who did what to whom, and when. Append-only. */
export interface AuditRecord {
  readonly id: string;
  /** The subject of the actor, or `anonymous` for public routes such as sign-up. */
  readonly actor: string;
  readonly action: string;
  /** The Keycloak user id the action was about. */
  readonly target: string | null;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly requestId: string | null;
  readonly occurredAt: Date;
}

export type NewAuditEntry = Pick<
  AuditRecord,
  'actor' | 'action' | 'target' | 'before' | 'after' | 'requestId'
>;

export interface AuditFilter {
  actor?: string;
  target?: string;
  action?: string;
  requestId?: string;
  /** Entries that occurred at or after this time. */
  since?: Date;
  /** Entries that occurred before this time. */
  until?: Date;
  cursor: CursorPosition | undefined;
  limit: number;
}

export interface AuditLog {
  /** Appends an entry, inside `tx` when one is given. */
  record(entry: NewAuditEntry, tx?: Transaction): Promise<void>;
  /** Up to `limit + 1` entries, newest first. */
  list(filter: AuditFilter): Promise<AuditRecord[]>;
}
