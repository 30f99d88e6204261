import type { Transaction } from '@platform/kit';

export const accountStatuses = ['active', 'suspended', 'closed'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

/** One billing account per user, created from the user's `user.registered` event. */
export interface AccountRecord {
  readonly id: string;
  /** The Keycloak user id (`sub`) that owns the account. */
  readonly userId: string;
  readonly status: AccountStatus;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface AccountStore {
  findByUserId(userId: string, tx?: Transaction): Promise<AccountRecord | null>;
  /** Creates the user's account unless one exists; concurrent creations leave exactly one. */
  open(userId: string, status: AccountStatus, tx: Transaction): Promise<void>;
  /**
   * Sets the status a lifecycle event asks for, creating the account if the event came first.
   * A closed account stays closed: deletion is final, whatever arrives after it.
   */
  setStatus(userId: string, status: AccountStatus, tx: Transaction): Promise<void>;
  /** Keeps the account's status from changing until `tx` ends. */
  lockForShare(tx: Transaction, id: string): Promise<AccountRecord | null>;
}
