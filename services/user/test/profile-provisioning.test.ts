import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { eventually } from '@platform/test-support/eventually';
import { serviceDatabase } from '@platform/test-support/postgres';
import { call } from './support/user-api.js';
import { deleteRows, rowOf, rowsOf } from './support/users-database.js';

describe('GET /users/me: provisioning on the first call', () => {
  let db: pg.Pool;
  const created: TestUser[] = [];

  beforeAll(() => {
    db = serviceDatabase('user');
  });

  afterAll(async () => {
    await deleteRows(
      db,
      created.map((user) => user.id),
    );
    await deleteTestUsers(created);
    await db.end();
  });

  async function freshUser(): Promise<TestUser> {
    const user = await createTestUser('first-call');
    created.push(user);
    return user;
  }

  it('when a user calls for the first time, then their row is created active and the merged profile returned', async () => {
    const user = await freshUser();
    // The Keycloak events bridge gives every new user a row; removed once it exists, the first
    // call must provision it again (a person whose registration has not reached this service yet).
    await eventually(async () => rowOf(db, user.id), {
      timeoutMs: 15_000,
      what: `the bridged row of ${user.username}`,
    });
    await deleteRows(db, [user.id]);
    expect(await rowOf(db, user.id)).toBeUndefined();

    const response = await call('GET', '/users/me', { token: await user.token() });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      subject: user.id,
      username: user.username,
      displayName: 'Test Person',
      status: 'active',
      settings: {},
      version: 1,
      email: user.email,
      emailVerified: true,
      firstName: 'Test',
      lastName: 'Person',
    });
    expect(response.headers.get('etag')).toBe('"1"');
    const row = await rowOf(db, user.id);
    expect(row).toMatchObject({ id: response.body.id, status: 'active', display_name: 'Test Person' });
    // Keycloak stays the owner of e-mail and names: no column holds them.
    expect(Object.keys(row!)).not.toEqual(expect.arrayContaining(['email']));
  });

  it('when the same user calls again, then the same row is returned and nothing new is created', async () => {
    const user = await freshUser();
    const token = await user.token();

    const first = await call('GET', '/users/me', { token });
    const second = await call('GET', '/users/me', { token });

    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(await rowsOf(db, user.id)).toHaveLength(1);
  });

  it('when 20 first calls race, then all succeed with one profile and exactly one row exists', async () => {
    const user = await freshUser();
    const token = await user.token();

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => call('GET', '/users/me', { token })),
    );

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    expect(await rowsOf(db, user.id)).toHaveLength(1);
  });
});
