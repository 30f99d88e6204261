import { loadConfig } from '@platform/kit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { createTestUsers, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import { secondInstanceEnv } from '@platform/test-support/service-instance';
import { userToken } from '@platform/test-support/tokens';
import { billingConfigSchema } from '../src/config.js';
import { detailsContextOf } from '../src/data/account-details-repository.js';
import { KeyRingCipher } from '../src/data/key-ring-cipher.js';
import { call } from './support/billing-api.js';
import { accountRowsOf, type AccountRow } from './support/billing-database.js';
import { openAccount } from './support/fixtures.js';

const details = {
  legalName: 'Ada Lovelace Analytical Ltd',
  addressLine1: '12 Difference Engine Street',
  postalCode: 'W1A 1AA',
  city: 'London',
  country: 'GB',
  taxId: 'GB123456789',
};

interface DetailsRow {
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
}

describe('billing details, encrypted at rest', () => {
  let db: pg.Pool;
  let broker: Broker;
  let users: TestUser[] = [];
  let holder: TestUser;
  let holderToken: string;
  let account: AccountRow;
  // The stack's billing configuration: the same keys the running service has.
  const config = loadConfig(billingConfigSchema, secondInstanceEnv('billing'));

  beforeAll(async () => {
    db = serviceDatabase('billing');
    broker = await Broker.connect();
    users = await createTestUsers('billing-details', 2);
    holder = users[0]!;
    account = await openAccount(broker, db, holder);
    holderToken = await holder.token();
  });

  afterAll(async () => {
    await broker?.close();
    await deleteTestUsers(users);
    await db?.end();
  });

  async function rawRow(): Promise<DetailsRow> {
    const { rows } = await db.query<DetailsRow>(
      'SELECT key_id, nonce, ciphertext, auth_tag FROM account_details WHERE account_id = $1',
      [account.id],
    );
    return rows[0]!;
  }

  it('when the holder saves billing details, then they read them back and the stored row holds no plaintext', async () => {
    const saved = await call('PUT', '/billing/accounts/me/details', { token: holderToken, body: details });
    const read = await call('GET', '/billing/accounts/me', { token: holderToken });

    expect(saved.status).toBe(200);
    expect(read.status).toBe(200);
    expect(read.body.details).toEqual(details);
    const row = await rawRow();
    expect(row.key_id).toBe(config.BILLING_ACTIVE_KEY_ID);
    const { rows } = await db.query('SELECT t::text AS text FROM account_details t WHERE account_id = $1', [
      account.id,
    ]);
    const stored = `${rows[0].text as string}${row.ciphertext.toString('latin1')}`;
    for (const value of Object.values(details)) expect(stored).not.toContain(value);
  });

  it('when a row was written under an older key, then it still decrypts, and the next save re-encrypts it under the active key', async () => {
    const olderKeyId = [...config.BILLING_ENCRYPTION_KEYS.keys()].find(
      (id) => id !== config.BILLING_ACTIVE_KEY_ID,
    );
    expect(olderKeyId).toBeDefined();
    const underOlderKey = { ...details, city: 'Manchester' };
    const sealed = new KeyRingCipher(config.BILLING_ENCRYPTION_KEYS, olderKeyId!).seal(
      JSON.stringify(underOlderKey),
      detailsContextOf(account.id),
    );
    await db.query(
      `INSERT INTO account_details (account_id, key_id, nonce, ciphertext, auth_tag) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account_id) DO UPDATE SET key_id = $2, nonce = $3, ciphertext = $4, auth_tag = $5`,
      [account.id, sealed.keyId, sealed.nonce, sealed.ciphertext, sealed.authTag],
    );

    const read = await call('GET', '/billing/accounts/me', { token: holderToken });
    expect(read.status).toBe(200);
    expect(read.body.details).toEqual(underOlderKey);

    await call('PUT', '/billing/accounts/me/details', { token: holderToken, body: underOlderKey });
    expect((await rawRow()).key_id).toBe(config.BILLING_ACTIVE_KEY_ID);
  });

  it('when a billing administrator looks the account up, then they see the decrypted details', async () => {
    const response = await call('GET', `/billing/accounts/${holder.id}`, { token: await userToken('bill') });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ userId: holder.id, details: { legalName: details.legalName } });
  });

  it("when a user looks up someone else's account by id, then 403", async () => {
    const response = await call('GET', `/billing/accounts/${holder.id}`, { token: await users[1]!.token() });

    expect(response.status).toBe(403);
  });

  it.each([
    ['an unknown country', { country: 'XX' }, 'country'],
    ['a lower-case country', { country: 'gb' }, 'country'],
    ['a three-letter country', { country: 'DEU' }, 'country'],
    ['a country name', { country: 'Germany' }, 'country'],
    ['a blank country', { country: '   ' }, 'country'],
    ['a tax id with symbols', { taxId: 'GB<script>' }, 'taxId'],
    ['no city', { city: undefined }, 'city'],
    ['an unknown field', { iban: 'GB33BUKB20201555555555' }, 'body'],
  ])(
    'when the details have %s, then 400 naming %s and the stored row is unchanged',
    async (_case, change, field) => {
      const before = await rawRow();

      const response = await call('PUT', '/billing/accounts/me/details', {
        token: holderToken,
        body: { ...details, ...change },
      });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect((await rawRow()).ciphertext.equals(before.ciphertext)).toBe(true);
    },
  );

  it('when a user without a billing account asks for it or saves details, then 404', async () => {
    // Every user of the realm gets an account from the Keycloak events bridge; this one's is removed
    // once it exists, as for a person whose registration has not reached billing yet.
    const person = users[1]!;
    await eventually(async () => (await accountRowsOf(db, person.id))[0], {
      timeoutMs: 15_000,
      what: `the bridged account of ${person.username}`,
    });
    await db.query('DELETE FROM accounts WHERE user_id = $1', [person.id]);
    const token = await person.token();

    expect((await call('GET', '/billing/accounts/me', { token })).status).toBe(404);
    expect((await call('PUT', '/billing/accounts/me/details', { token, body: details })).status).toBe(404);
  });
});
