import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, identityEvent } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { createTestUser, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import {
  otherAudienceToken,
  serviceToken,
  tokenSignedByAnotherKey,
  userToken,
} from '@platform/test-support/tokens';
import { call } from './support/user-api.js';
import { deleteRows, rowOf } from './support/users-database.js';
import { exemptFromRevocation } from '@platform/test-support/revocations';

type Caller = 'user' | 'support' | 'admin' | 'billing service' | 'auth service';

interface RouteCase {
  name: string;
  method: 'GET' | 'PATCH';
  path: () => string;
  body?: unknown;
  /** The status each caller gets; the route's role guard decides. */
  expected: Record<Caller, number>;
}

describe('who may call which route', () => {
  let db: pg.Pool;
  let member: TestUser;
  let memberProfileId: string;
  const tokens = {} as Record<Caller, string>;

  beforeAll(async () => {
    db = serviceDatabase('user');
    member = await createTestUser('access');
    tokens.user = await member.token();
    tokens.support = await userToken('sam');
    tokens.admin = await userToken('ada');
    tokens['billing service'] = await serviceToken('billing');
    tokens['auth service'] = await serviceToken('auth');
    memberProfileId = (await call('GET', '/users/me', { token: tokens.user })).body.id as string;
  });

  afterAll(async () => {
    await deleteRows(db, [member.id]);
    await deleteTestUsers([member]);
    await db.end();
  });

  const routes: RouteCase[] = [
    {
      name: 'GET /users/me',
      method: 'GET',
      path: () => '/users/me',
      expected: { user: 200, support: 200, admin: 200, 'billing service': 403, 'auth service': 403 },
    },
    {
      name: 'PATCH /users/me',
      method: 'PATCH',
      path: () => '/users/me',
      body: { settings: { theme: 'system' } },
      expected: { user: 200, support: 200, admin: 200, 'billing service': 403, 'auth service': 403 },
    },
    {
      name: 'GET /users',
      method: 'GET',
      path: () => '/users',
      expected: { user: 403, support: 403, admin: 200, 'billing service': 403, 'auth service': 403 },
    },
    {
      name: 'GET /users/{id}',
      method: 'GET',
      path: () => `/users/${memberProfileId}`,
      expected: { user: 403, support: 200, admin: 200, 'billing service': 403, 'auth service': 403 },
    },
    {
      name: 'GET /internal/users/{id}',
      method: 'GET',
      path: () => `/internal/users/${memberProfileId}`,
      expected: { user: 403, support: 403, admin: 403, 'billing service': 200, 'auth service': 403 },
    },
    {
      name: 'GET /internal/users/by-username/{username}',
      method: 'GET',
      path: () => `/internal/users/by-username/${member.username}`,
      expected: { user: 403, support: 403, admin: 403, 'billing service': 200, 'auth service': 403 },
    },
    {
      name: 'GET /internal/users/by-subject/{sub}',
      method: 'GET',
      path: () => `/internal/users/by-subject/${member.id}`,
      expected: { user: 403, support: 403, admin: 403, 'billing service': 200, 'auth service': 403 },
    },
  ];

  describe.each(routes)('$name', (route) => {
    it.each(Object.keys(route.expected) as Caller[])(
      'when the caller is the %s, then the guard answers as declared',
      async (caller) => {
        const response = await call(route.method, route.path(), { token: tokens[caller], body: route.body });

        expect(response.status).toBe(route.expected[caller]);
        if (response.status === 403) expect(response.body).toMatchObject({ status: 403 });
      },
    );

    it('when there is no token, then 401 with a Bearer challenge', async () => {
      const response = await call(route.method, route.path(), { body: route.body });

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('when the token is for another audience or signed by another key, then 401', async () => {
      const foreign = await call(route.method, route.path(), {
        token: await otherAudienceToken(),
        body: route.body,
      });
      const forged = await call(route.method, route.path(), {
        token: await tokenSignedByAnotherKey(tokens.admin),
        body: route.body,
      });

      expect([foreign.status, forged.status]).toEqual([401, 401]);
    });
  });

  describe('the API docs', () => {
    it.each(['/docs', '/docs/openapi.json'])(
      'when %s is called without a token, then 200: it is public',
      async (path) => {
        expect((await call('GET', path)).status).toBe(200);
      },
    );
  });
});

describe('a suspended or deleted user', () => {
  let db: pg.Pool;
  let broker: Broker;
  let person: TestUser;
  let token: string;
  let profileId: string;

  // Holds every role, the service role included, so that only the account status can refuse them.
  const everyRoute = () => [
    ['GET', '/users/me'],
    ['PATCH', '/users/me'],
    ['GET', '/users'],
    ['GET', `/users/${profileId}`],
    ['GET', `/internal/users/${profileId}`],
    ['GET', `/internal/users/by-username/${person.username}`],
    ['GET', `/internal/users/by-subject/${person.id}`],
  ];

  async function statusesOnEveryRoute(): Promise<number[]> {
    return Promise.all(
      everyRoute().map(async ([method, path]) => {
        const response = await call(method!, path!, {
          token,
          body: method === 'PATCH' ? { settings: { theme: 'dark' } } : undefined,
        });
        return response.status;
      }),
    );
  }

  async function publishAndWait(type: string, status: string): Promise<void> {
    await broker.publish(identityEvent(type, { userId: person.id, username: person.username }));
    await eventually(async () => ((await rowOf(db, person.id))?.status === status ? true : undefined));
  }

  beforeAll(async () => {
    db = serviceDatabase('user');
    broker = await Broker.connect();
    person = await createTestUser('suspended', { realmRoles: ['support', 'admin', 'users:read-internal'] });
    // Otherwise the platform's revocation list refuses the token with 401 before this service's own check.
    await exemptFromRevocation(person.id);
    token = await person.token();
    profileId = (await call('GET', '/users/me', { token })).body.id as string;
  });

  afterAll(async () => {
    await broker.close();
    await deleteRows(db, [person.id]);
    await deleteTestUsers([person]);
    await db.end();
  });

  it('when the account is active, then every route serves them', async () => {
    expect(await statusesOnEveryRoute()).toEqual(Array(7).fill(200));
  });

  it('when the account is suspended, then every route answers 403 although the token is still valid', async () => {
    await publishAndWait('user.disabled', 'suspended');

    expect(await statusesOnEveryRoute()).toEqual(Array(7).fill(403));
    expect((await call('GET', '/users/me', { token })).body).toMatchObject({
      detail: 'This account is suspended',
    });
  });

  it('when the account is re-enabled, then every route serves them again', async () => {
    await publishAndWait('user.enabled', 'active');

    expect(await statusesOnEveryRoute()).toEqual(Array(7).fill(200));
  });

  it('when the account is deleted, then every route answers 403', async () => {
    await publishAndWait('user.deleted', 'deleted');

    expect(await statusesOnEveryRoute()).toEqual(Array(7).fill(403));
  });
});
