import { conflict, notFound } from '@platform/kit';
import type { AccountView, BillingDetails } from './account-schemas.js';
import { type AccountReaders, getAccount } from './get-account.js';

/** The account holder replaces their billing details as a whole; a closed account keeps its last ones. */
export async function updateBillingDetails(
  readers: AccountReaders,
  userId: string,
  details: BillingDetails,
): Promise<AccountView> {
  const account = await readers.accounts.findByUserId(userId);
  if (!account) throw notFound('No billing account');
  if (account.status === 'closed') throw conflict('The billing account is closed');
  await readers.details.save(account.id, details);
  return getAccount(readers, userId);
}
