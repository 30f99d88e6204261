/**
 * Billing's profile cache lives in Redis, not in a process: every replica reads and drops the same
 * entries, so a second replica (started here) sees what the stack's replica cached, and an
 * invalidation applied by one replica's consumer holds for all.
 */
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { RunningService } from '@platform/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { createTestUser, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import { startSecondInstance, stopSecondInstance } from '@platform/test-support/service-instance';
import { environment, serviceUrl } from '@platform/test-support/stack';
import { profileCacheKey } from '../src/data/cached-profile-directory.js';
import { service } from '../src/service.js';
import { call } from './support/billing-api.js';
import { openAccount, userEvent } from './support/fixtures.js';

describe('the profile cache across two billing replicas', () => {
  let db: pg.Pool;
  let broker: Broker;
  let redis: Redis;
  let second: RunningService;
  let user: TestUser;

  beforeAll(async () => {
    db = serviceDatabase('billing');
    broker = await Broker.connect();
    redis = new Redis({ host: environment.redis.host, port: environment.redis.port });
    second = await startSecondInstance('billing', service);
    user = await createTestUser('billing-replicas');
    await openAccount(broker, db, user);
  });

  afterAll(async () => {
    await stopSecondInstance(second);
    await broker?.close();
    redis?.disconnect();
    await deleteTestUsers([user]);
    await db?.end();
  });

  async function displayNameOn(base: string, token: string): Promise<unknown> {
    const response = await call('GET', '/billing/accounts/me', { token, base });
    expect(response.status).toBe(200);
    return (response.body.profile as { displayName: unknown }).displayName;
  }

  it('when one replica cached a profile, then the other serves the same entry, and a drop holds for both', async () => {
    const token = await user.token();
    await displayNameOn(serviceUrl('billing'), token);
    const key = profileCacheKey(user.id);
    const cached = JSON.parse((await redis.get(key))!) as Record<string, unknown>;
    await redis.set(key, JSON.stringify({ ...cached, displayName: 'Only in the shared cache' }), 'KEEPTTL');

    expect(await displayNameOn(second.url, token)).toBe('Only in the shared cache');
    expect(await displayNameOn(serviceUrl('billing'), token)).toBe('Only in the shared cache');

    // The stack's replica consumes the event (the second runs no consumers); both then read afresh.
    await broker.publish(userEvent('user.profile_updated', user));
    await eventually(async () => ((await redis.exists(key)) === 0 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the cached profile to be dropped',
    });
    expect(await displayNameOn(second.url, token)).not.toBe('Only in the shared cache');
  });
});
