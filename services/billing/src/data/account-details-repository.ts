import type { DataSource } from 'typeorm';
import type { AccountDetailsStore } from '../domain/account-details-store.js';
import { type BillingDetails, billingDetailsSchema } from '../domain/account-schemas.js';
import { AccountDetails } from './account-details-entity.js';
import type { KeyRingCipher } from './key-ring-cipher.js';

/**
 * Billing details sealed with AES-256-GCM on the way in and opened on the way out; the rest of
 * the service only ever sees plaintext objects, the database only ciphertext. The account id is
 * the authenticated context, so a row's ciphertext cannot be moved to another account.
 */
export class AccountDetailsRepository implements AccountDetailsStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: KeyRingCipher,
  ) {}

  async detailsOf(accountId: string): Promise<BillingDetails | null> {
    const row = await this.dataSource.getRepository(AccountDetails).findOneBy({ accountId });
    if (!row) return null;
    return billingDetailsSchema.parse(JSON.parse(this.cipher.open(row, detailsContextOf(accountId))));
  }

  /** Every write seals with the active key, so rows move to a new key as they are updated. */
  async save(accountId: string, details: BillingDetails): Promise<void> {
    const sealed = this.cipher.seal(JSON.stringify(details), detailsContextOf(accountId));
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(AccountDetails)
      .values({ accountId, ...sealed })
      .orUpdate(['key_id', 'nonce', 'ciphertext', 'auth_tag', 'updated_at'], ['account_id'])
      .execute();
  }
}

/** The additional authenticated data of an account's details: binds the ciphertext to its row. */
export function detailsContextOf(accountId: string): string {
  return `account_details:${accountId}`;
}
