import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { createTestUsers, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import { environment, serviceUrl } from '@platform/test-support/stack';
import { profileCacheKey } from '../src/data/cached-profile-directory.js';
import { call } from './support/billing-api.js';
import { openAccount, userEvent } from './support/fixtures.js';

describe('profile cache', () => {
  let db: pg.Pool;
  let broker: Broker;
  let redis: Redis;
  let users: TestUser[] = [];

  beforeAll(async () => {
    db = serviceDatabase('billing');
    broker = await Broker.connect();
    redis = new Redis({ host: environment.redis.host, port: environment.redis.port });
    users = await createTestUsers('billing-cache', 2);
    // The account opens from the event alone, maybe before the user service (consuming the same
    // event) knows the user; the profile joins the account once it does, and is cached from then.
    for (const user of users) {
      await openAccount(broker, db, user);
      await profileShown(await user.token());
    }
  });

  afterAll(async () => {
    await broker?.close();
    redis?.disconnect();
    await deleteTestUsers(users);
    await db?.end();
  });

  async function profileShown(token: string): Promise<void> {
    await eventually(
      async () => {
        const response = await call('GET', '/billing/accounts/me', { token });
        return response.status === 200 && response.body.profile !== null ? true : undefined;
      },
      { timeoutMs: 15_000, what: 'billing to show the profile from the user service' },
    );
  }

  async function displayNameSeenByBilling(token: string): Promise<unknown> {
    const response = await call('GET', '/billing/accounts/me', { token });
    expect(response.status).toBe(200);
    return (response.body.profile as { displayName: unknown }).displayName;
  }

  it('when a profile was fetched, then it sits in Redis with a TTL and reads are served from there', async () => {
    const user = users[0]!;
    const token = await user.token();
    await displayNameSeenByBilling(token);
    const key = profileCacheKey(user.id);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);

    const cached = JSON.parse((await redis.get(key))!) as Record<string, unknown>;
    await redis.set(key, JSON.stringify({ ...cached, displayName: 'Only in the cache' }), 'KEEPTTL');

    expect(await displayNameSeenByBilling(token)).toBe('Only in the cache');
  });

  it('when the user changes their profile in the user service, then user.profile_updated drops the cached copy and billing shows the new one', async () => {
    const user = users[1]!;
    const token = await user.token();
    const before = await displayNameSeenByBilling(token);
    expect(await redis.exists(profileCacheKey(user.id))).toBe(1);

    const patch = await fetch(`${serviceUrl('user')}/users/me`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Renamed Billing Tester' }),
    });
    expect(patch.status).toBe(200);

    // Well inside the 300 s TTL: only the invalidation can make billing ask the user service again.
    await eventually(
      async () => ((await displayNameSeenByBilling(token)) === 'Renamed Billing Tester' ? true : undefined),
      { timeoutMs: 15_000, what: 'billing to show the new display name' },
    );
    expect(before).not.toBe('Renamed Billing Tester');
    const cached = JSON.parse((await redis.get(profileCacheKey(user.id)))!) as Record<string, unknown>;
    expect(cached.displayName).toBe('Renamed Billing Tester');
  });

  it('when a user.profile_updated event arrives, then the cached profile is removed', async () => {
    const user = users[0]!;
    await displayNameSeenByBilling(await user.token());
    expect(await redis.exists(profileCacheKey(user.id))).toBe(1);

    await broker.publish(userEvent('user.profile_updated', user));

    await eventually(async () => ((await redis.exists(profileCacheKey(user.id))) === 0 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the cached profile to be dropped',
    });
  });
});
