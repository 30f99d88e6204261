import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { createTestUsers, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import { serviceUrl } from '@platform/test-support/stack';
import { userToken } from '@platform/test-support/tokens';
import { call } from './support/billing-api.js';
import { accountRowsOf } from './support/billing-database.js';
import { openAccount, userEvent } from './support/fixtures.js';

const consumer = 'billing-service.user-lifecycle';

describe('billing accounts from user-lifecycle events', () => {
  let db: pg.Pool;
  let broker: Broker;
  let users: TestUser[];
  const signedUp: TestUser[] = [];

  beforeAll(async () => {
    db = serviceDatabase('billing');
    broker = await Broker.connect();
    users = await createTestUsers('billing-lifecycle', 5);
  });

  afterAll(async () => {
    await broker?.close();
    await deleteTestUsers([...(users ?? []), ...signedUp]);
    await db?.end();
  });

  async function statusBecomes(user: TestUser, status: string) {
    return eventually(async () => (await accountRowsOf(db, user.id)).find((row) => row.status === status), {
      timeoutMs: 15_000,
      what: `account of ${user.username} to be ${status}`,
    });
  }

  async function processed(messageId: string) {
    return eventually(
      async () => {
        const { rows } = await db.query(
          'SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2',
          [consumer, messageId],
        );
        return rows.length > 0 ? true : undefined;
      },
      { timeoutMs: 15_000, what: `message ${messageId} to be processed` },
    );
  }

  it('when a person signs up through the auth service, then billing opens an active account for them', async () => {
    const email = `billing-signup-${randomUUID().slice(0, 8)}@example.test`;
    const signUp = await fetch(`${serviceUrl('auth')}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email,
        password: 'Billing-Signup-Password-1',
        firstName: 'Sign',
        lastName: 'Up',
      }),
    });
    expect(signUp.status).toBe(201);
    const { id } = (await signUp.json()) as { id: string };
    signedUp.push({
      id,
      username: email,
      email,
      password: 'Billing-Signup-Password-1',
      token: () => Promise.reject(new Error('e-mail not verified')),
    });

    const account = await eventually(async () => (await accountRowsOf(db, id))[0], {
      timeoutMs: 15_000,
      what: 'the account of the signed-up user',
    });

    expect(account.status).toBe('active');
    const adminToken = await userToken('bill');
    const asAdmin = await eventually(
      async () => {
        const answer = await call('GET', `/billing/accounts/${id}`, { token: adminToken });
        return answer.status === 200 && answer.body.profile !== null ? answer : undefined;
      },
      { timeoutMs: 15_000, what: 'the account to show the profile from the user service' },
    );
    expect(asAdmin.body).toMatchObject({ userId: id, status: 'active', profile: { displayName: 'Sign Up' } });
  });

  it('when a real user.registered event arrives for a new user, then an active account is opened and reading it shows the profile from the user service', async () => {
    const user = users[0]!;

    const account = await openAccount(broker, db, user);

    expect(account.status).toBe('active');
    // The account may open before the user service (consuming the same event) knows the user.
    const token = await user.token();
    const response = await eventually(
      async () => {
        const answer = await call('GET', '/billing/accounts/me', { token });
        return answer.status === 200 && answer.body.profile !== null ? answer : undefined;
      },
      { timeoutMs: 15_000, what: 'the account to show the profile from the user service' },
    );
    expect(response.body).toMatchObject({
      id: account.id,
      userId: user.id,
      status: 'active',
      profile: { username: user.username },
      details: null,
    });
  });

  it('when the same user.registered event is delivered twice, then it is applied once and there is one account', async () => {
    const user = users[1]!;
    const registered = userEvent('user.registered', user);

    await broker.publish(registered);
    await statusBecomes(user, 'active');
    await broker.publish(registered);
    // A different event for the same user (another registration attempt) must not add an account either.
    const again = userEvent('user.registered', user);
    await broker.publish(again);
    await processed(again.id);

    expect(await accountRowsOf(db, user.id)).toHaveLength(1);
    const { rows } = await db.query(
      'SELECT count(*)::int AS n FROM processed_messages WHERE message_id = $1',
      [registered.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('when a user.disabled event is delivered again after user.enabled, then the duplicate is skipped and the account stays active', async () => {
    const user = users[2]!;
    await openAccount(broker, db, user);
    const disabled = userEvent('user.disabled', user);
    await broker.publish(disabled);
    await statusBecomes(user, 'suspended');
    const enabled = userEvent('user.enabled', user);
    await broker.publish(enabled);
    await statusBecomes(user, 'active');

    await broker.publish(disabled);
    const marker = userEvent('user.enabled', user);
    await broker.publish(marker);
    await processed(marker.id);
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(await accountRowsOf(db, user.id)).toMatchObject([{ status: 'active' }]);
  });

  it('when a user is disabled, enabled and deleted, then the account is suspended, active again and finally closed for good', async () => {
    const user = users[3]!;
    await openAccount(broker, db, user);

    await broker.publish(userEvent('user.disabled', user));
    await statusBecomes(user, 'suspended');
    await broker.publish(userEvent('user.enabled', user));
    await statusBecomes(user, 'active');
    await broker.publish(userEvent('user.deleted', user));
    await statusBecomes(user, 'closed');
    const lateEnable = userEvent('user.enabled', user);
    await broker.publish(lateEnable);
    await processed(lateEnable.id);

    expect(await accountRowsOf(db, user.id)).toMatchObject([{ status: 'closed' }]);
  });

  it('when user.disabled overtakes user.registered, then the account exists suspended and the late registration does not activate it', async () => {
    const user = users[4]!;

    await broker.publish(userEvent('user.disabled', user));
    await statusBecomes(user, 'suspended');
    const registered = userEvent('user.registered', user);
    await broker.publish(registered);
    await processed(registered.id);

    expect(await accountRowsOf(db, user.id)).toMatchObject([{ status: 'suspended' }]);
  });
});
