import type { Transaction } from '@platform/kit';
import type { AccountStatus, AccountStore } from './account-store.js';
import type { ProfileDirectory, UserProfile } from './profile-directory.js';

/** The user service has not heard of the user yet (it consumes the same event); try again later. */
export class UserNotYetKnown extends Error {
  constructor(userId: string) {
    super(`the user service does not know user ${userId} yet`);
    this.name = 'UserNotYetKnown';
  }
}

const accountStatusFor: Record<UserProfile['status'], AccountStatus> = {
  active: 'active',
  suspended: 'suspended',
  deleted: 'closed',
};

/**
 * A newly registered user gets a billing account. The user service is asked for the profile
 * first: it confirms the user, warms the profile cache, and its current status wins over the
 * event's, because a `user.disabled` may overtake a registration that is still being retried.
 * While the user service cannot answer, this throws and the event is retried, never dropped.
 */
export async function openAccountForNewUser(
  accounts: AccountStore,
  profiles: ProfileDirectory,
  userId: string,
  tx: Transaction,
): Promise<void> {
  if (await accounts.findByUserId(userId, tx)) return;
  const profile = await profiles.profileOf(userId);
  if (!profile) throw new UserNotYetKnown(userId);
  await accounts.open(userId, accountStatusFor[profile.status], tx);
}

/** user.disabled: no new payments until the user is enabled again. */
export function suspendAccount(accounts: AccountStore, userId: string, tx: Transaction) {
  return accounts.setStatus(userId, 'suspended', tx);
}

/** user.enabled: a suspended account becomes active; a closed one stays closed. */
export function reactivateAccount(accounts: AccountStore, userId: string, tx: Transaction) {
  return accounts.setStatus(userId, 'active', tx);
}

/** user.deleted: the account is closed for good; its invoices and payments stay for the books. */
export function closeAccount(accounts: AccountStore, userId: string, tx: Transaction) {
  return accounts.setStatus(userId, 'closed', tx);
}
