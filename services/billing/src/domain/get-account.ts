import { notFound } from '@platform/kit';
import type { Account } from '../data/account-entity.js';
import type { AccountDetailsRepository } from '../data/account-details-repository.js';
import type { AccountRepository } from '../data/account-repository.js';
import type { AccountView } from './account-schemas.js';
import { type ProfileDirectory, UserServiceUnavailable } from './profile-directory.js';

export interface AccountReaders {
  readonly accounts: AccountRepository;
  readonly details: AccountDetailsRepository;
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
    if (error instanceof UserServiceUnavailable) return null;
    throw error;
  }
}

function toAccountView(
  account: Account,
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
