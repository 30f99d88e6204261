import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, identityEvent } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { serviceDatabase } from '@platform/test-support/postgres';
import { userToken } from '@platform/test-support/tokens';
import { call } from './support/user-api.js';
import { deleteRows, rowOf } from './support/users-database.js';

describe('GET /users and GET /users/{id}, for staff', () => {
  let db: pg.Pool;
  let admin: string;
  let support: string;
  /** A run-specific word in every username below, so searches see only this test's rows. */
  const marker = `adm${randomUUID().slice(0, 8)}`;
  const subjects = Array.from({ length: 5 }, () => randomUUID());

  beforeAll(async () => {
    db = serviceDatabase('user');
    admin = await userToken('ada');
    support = await userToken('sam');
    const broker = await Broker.connect();
    try {
      for (const [index, subject] of subjects.entries()) {
        const username = `${marker}-${index}${index === 4 ? '_50%' : ''}`;
        await broker.publish(identityEvent('user.registered', { userId: subject, username }));
        // One at a time, so creation order (and so list order) is known.
        await eventually(async () => rowOf(db, subject));
      }
      await broker.publish(identityEvent('user.disabled', { userId: subjects[1]! }));
      await eventually(async () =>
        (await rowOf(db, subjects[1]!))?.status === 'suspended' ? true : undefined,
      );
    } finally {
      await broker.close();
    }
  });

  afterAll(async () => {
    await deleteRows(db, subjects);
    await db.end();
  });

  it('when an admin pages through a search, then every match comes once, newest first', async () => {
    const first = await call('GET', `/users?search=${marker}&limit=2`, { token: admin });
    const second = await call(
      'GET',
      `/users?search=${marker}&limit=2&cursor=${String(first.body.nextCursor)}`,
      {
        token: admin,
      },
    );
    const third = await call(
      'GET',
      `/users?search=${marker}&limit=2&cursor=${String(second.body.nextCursor)}`,
      {
        token: admin,
      },
    );

    const pages = [first, second, third];
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200]);
    const subjectsInOrder = pages.flatMap((page) =>
      (page.body.items as { subject: string }[]).map((item) => item.subject),
    );
    expect(subjectsInOrder).toEqual([...subjects].reverse());
    expect(third.body.nextCursor).toBeNull();
  });

  it('when the search holds LIKE wildcards, then they match literally', async () => {
    const response = await call('GET', `/users?search=${encodeURIComponent('_50%')}`, { token: admin });

    expect((response.body.items as { subject: string }[]).map((item) => item.subject)).toEqual([subjects[4]]);
  });

  it('when an admin filters by status, then only those users come back', async () => {
    const response = await call('GET', `/users?search=${marker}&status=suspended`, { token: admin });

    expect((response.body.items as { subject: string }[]).map((item) => item.subject)).toEqual([subjects[1]]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['status=frozen', 'status'],
    ['cursor=not-a-cursor', 'cursor'],
  ])('when the query has %s, then 400 naming %s', async (query, field) => {
    const response = await call('GET', `/users?${query}`, { token: admin });

    expect(response.status).toBe(400);
    expect((response.body.errors as { field: string }[]).map((error) => error.field)).toEqual([field]);
  });

  it('when support reads one user, then the profile comes with its ETag', async () => {
    const { id } = (await rowOf(db, subjects[0]!))!;

    const response = await call('GET', `/users/${id}`, { token: support });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, subject: subjects[0], email: null, status: 'active' });
    expect(response.headers.get('etag')).toBe('"1"');
  });

  it('when the user does not exist, then 404; when the id is not a uuid, then 400', async () => {
    expect((await call('GET', `/users/${randomUUID()}`, { token: support })).status).toBe(404);
    expect((await call('GET', '/users/alice', { token: support })).status).toBe(400);
  });
});
