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

/** What one lifecycle event asks of its user's account. */
export interface AccountChange {
  readonly userId: string;
  readonly status: AccountStatus;
  /** Opens the account in `status` if there is none, and otherwise leaves it as it is. */
  readonly opensOnly: boolean;
}

export interface AccountStore {
  findByUserId(userId: string, tx?: Transaction): Promise<AccountRecord | null>;
  /**
   * Applies what lifecycle events ask, one change per user (distinct): creates each account that
   * does not exist yet, in the change's status (concurrent creations leave exactly one), and sets
   * the status of existing ones unless the change only opens. A closed account stays closed:
   * deletion is final, whatever arrives after it.
   */
  applyChanges(changes: readonly AccountChange[], tx: Transaction): Promise<void>;
  /** Keeps the account's status from changing until `tx` ends. */
  lockForShare(tx: Transaction, id: string): Promise<AccountRecord | null>;
}
