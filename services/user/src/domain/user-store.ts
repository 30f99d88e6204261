import type { CursorPosition, Transaction } from '@platform/kit';

export const userStatuses = ['active', 'suspended', 'deleted'] as const;
export type UserStatus = (typeof userStatuses)[number];

/**
 * The local half of a profile. Keycloak owns e-mail, first and last name; they are read from
 * Keycloak when a profile is returned and never stored here.
 */
export interface UserRecord {
  readonly id: string;
  /** The Keycloak subject (`sub`) this profile belongs to. */
  readonly subject: string;
  readonly username: string | null;
  readonly displayName: string | null;
  readonly avatarUrl: string | null;
  readonly status: UserStatus;
  readonly settings: Record<string, unknown>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** When the newest identity event applied to this user happened; older ones arrive too late to apply. */
  readonly identityEventAt: Date | null;
  /** Optimistic concurrency: the profile's ETag, compared with If-Match on PATCH. */
  readonly version: number;
}

export interface NewUser {
  subject: string;
  username: string | null;
  displayName: string | null;
  status?: UserStatus;
}

/** Local fields a profile update may change. */
export interface LocalChanges {
  displayName?: string | null;
  avatarUrl?: string | null;
  settings?: Record<string, unknown>;
}

/** What one identity event says about a user; `status` undefined keeps the current one. */
export interface IdentityChange {
  subject: string;
  username: string | undefined;
  /** Used only when the event creates the user. */
  displayName: string | null;
  status: UserStatus | undefined;
  occurredAt: Date;
}

export interface UserListFilter {
  search: string | undefined;
  status: UserStatus | undefined;
  cursor: CursorPosition | undefined;
  limit: number;
}

/** The local users; reads and writes go into `tx` where one is given or required. */
export interface UserStore {
  findById(id: string): Promise<UserRecord | null>;
  findBySubject(subject: string, tx?: Transaction): Promise<UserRecord | null>;
  /**
   * Usernames are unique in Keycloak, but a deleted user's name may be taken again, so several
   * users can share one: the live one wins, then the newest.
   */
  findByUsername(username: string): Promise<UserRecord | null>;
  /** The user for update, locked until `tx` ends, so concurrent updates queue up. */
  lockBySubject(subject: string, tx: Transaction): Promise<UserRecord | null>;
  /** Up to `limit + 1` users, newest first. */
  list(filter: UserListFilter): Promise<UserRecord[]>;
  /**
   * Creates the user for a subject unless it exists; concurrent first calls race and exactly one
   * creation wins, the others read the winner's user.
   */
  provision(user: NewUser, tx?: Transaction): Promise<UserRecord>;
  /** Applies local changes and moves the version on; returns the user as it now is. */
  update(user: UserRecord, changes: LocalChanges, tx: Transaction): Promise<UserRecord>;
  /**
   * Creates or updates the users identity events are about, one change per subject (distinct). An
   * event older than the last one applied changes nothing; `deleted` is final, since Keycloak never
   * reuses an id. Every applied event moves the version on: the Keycloak-owned half of the profile
   * may have changed, and an If-Match based on the old view must not pass.
   */
  applyIdentityChanges(changes: readonly IdentityChange[], tx: Transaction): Promise<void>;
}
