import type { Transaction } from '@platform/kit';
import type { AccountStore } from './account-store.js';

// Accounts are opened and moved from the lifecycle events alone: nothing here calls another
// service, so no transaction waits on the network, and an account opens while the user service
// is down. Events for one user may arrive in any order (retries, redeliveries): the first event
// about a user who has no account yet opens it in the state that event implies.

/**
 * user.registered: opens the user's account, active. If an earlier event (disabled, deleted)
 * already opened it, nothing changes: the registration happened before whatever that event said.
 */
export function openAccountForNewUser(accounts: AccountStore, userId: string, tx: Transaction) {
  return accounts.open(userId, 'active', tx);
}

/** user.disabled: no new payments until the user is enabled again (opened suspended if new). */
export function suspendAccount(accounts: AccountStore, userId: string, tx: Transaction) {
  return accounts.setStatus(userId, 'suspended', tx);
}

/** user.enabled: a suspended account becomes active (opened active if new); a closed one stays closed. */
export function reactivateAccount(accounts: AccountStore, userId: string, tx: Transaction) {
  return accounts.setStatus(userId, 'active', tx);
}

/** user.deleted: the account is closed for good (opened closed if new); its invoices and payments stay for the books. */
export function closeAccount(accounts: AccountStore, userId: string, tx: Transaction) {
  return accounts.setStatus(userId, 'closed', tx);
}
