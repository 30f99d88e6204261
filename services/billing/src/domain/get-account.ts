import { DependencyUnavailable, notFound } from '@platform/kit';
import type { AccountDetailsStore } from './account-details-store.js';
import type { AccountView } from './account-schemas.js';
import type { AccountRecord, AccountStore } from './account-store.js';
import type { ProfileDirectory } from './profile-directory.js';

export interface AccountReaders {
  readonly accounts: AccountStore;
  readonly details: AccountDetailsStore;
  readonly profiles: ProfileDirectory;
}

/**
 * A user's billing account with its decrypted details and the holder's profile. The profile is
 * a convenience: while the user service is unreachable the account is still shown, without it.
 */
export async function getAccount(readers: AccountReaders, userId: string): Promise<AccountView> {
  const account = await readers.accounts.findByUserId(userId);
  if (!account) throw notFound('No billing account');
  const [details, profile] = await Promise.all([
    readers.details.detailsOf(account.id),
    profileOrNull(readers.profiles, userId),
  ]);
  return toAccountView(account, details, profile);
}

async function profileOrNull(profiles: ProfileDirectory, userId: string) {
  try {
    return await profiles.profileOf(userId);
  } catch (error) {
    if (error instanceof DependencyUnavailable) return null;
    throw error;
  }
}

function toAccountView(
  account: AccountRecord,
  details: AccountView['details'],
  profile: { username: string | null; displayName: string | null } | null,
): AccountView {
  return {
    id: account.id,
    userId: account.userId,
    status: account.status,
    profile: profile && { username: profile.username, displayName: profile.displayName },
    details,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}
