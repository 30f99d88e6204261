import type { BillingDetails } from './account-schemas.js';

/** An account's billing details; only ever stored sealed, always handed out in plaintext. */
export interface AccountDetailsStore {
  detailsOf(accountId: string): Promise<BillingDetails | null>;
  /** Replaces the account's details as a whole. */
  save(accountId: string, details: BillingDetails): Promise<void>;
}
