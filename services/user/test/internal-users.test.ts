import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import { serviceToken } from '@platform/test-support/tokens';
import { call } from './support/user-api.js';
import { deleteRows, rowOf, rowsOf } from './support/users-database.js';

describe('the internal API, as the billing service calls it', () => {
  let db: pg.Pool;
  let billing: string;
  const created: TestUser[] = [];

  beforeAll(async () => {
    db = serviceDatabase('user');
    billing = await serviceToken('billing');
  });

  afterAll(async () => {
    await deleteRows(
      db,
      created.map((user) => user.id),
    );
    await deleteTestUsers(created);
    await db.end();
  });

  async function keycloakOnlyUser(prefix: string, options: { enabled?: boolean } = {}): Promise<TestUser> {
    const user = await createTestUser(prefix, options);
    created.push(user);
    return user;
  }

  describe('GET /internal/users/by-subject/{sub}', () => {
    it('when Keycloak knows the user but this service has not seen them, then they are provisioned and returned', async () => {
      const user = await keycloakOnlyUser('by-subject');
      expect(await rowOf(db, user.id)).toBeUndefined();

      const response = await call('GET', `/internal/users/by-subject/${user.id}`, { token: billing });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        subject: user.id,
        username: user.username,
        displayName: 'Test Person',
        status: 'active',
        email: user.email,
        firstName: 'Test',
        lastName: 'Person',
      });
      expect(response.headers.get('etag')).toBe('"1"');
      expect(await rowsOf(db, user.id)).toHaveLength(1);
    });

    it('when the unseen Keycloak user is disabled there, then the row is provisioned suspended', async () => {
      // Created disabled, not disabled afterwards: the identity bridge announces the registration
      // and the disablement together then, so the row can't be found active between the two.
      const user = await keycloakOnlyUser('by-subject-disabled', { enabled: false });

      const response = await call('GET', `/internal/users/by-subject/${user.id}`, { token: billing });

      expect(response.status).toBe(200);
      expect(response.body.status).toBe('suspended');
      expect((await rowOf(db, user.id))?.status).toBe('suspended');
    });

    it('when neither this service nor Keycloak knows the subject, then 404 and nothing is created', async () => {
      const subject = randomUUID();

      const response = await call('GET', `/internal/users/by-subject/${subject}`, { token: billing });

      expect(response.status).toBe(404);
      expect(await rowOf(db, subject)).toBeUndefined();
    });
  });

  describe('GET /internal/users/by-username/{username}', () => {
    it('when the user exists, then their merged profile is returned', async () => {
      const user = await keycloakOnlyUser('by-username');

      const response = await call('GET', `/internal/users/by-username/${user.username}`, { token: billing });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ subject: user.id, username: user.username, email: user.email });
    });

    it('when nobody has that username, then 404', async () => {
      const response = await call('GET', `/internal/users/by-username/nobody-${randomUUID()}`, {
        token: billing,
      });

      expect(response.status).toBe(404);
    });
  });

  describe('GET /internal/users/{id}', () => {
    it('when the profile id exists, then the profile is returned', async () => {
      const user = await keycloakOnlyUser('by-id');
      const { body } = await call('GET', `/internal/users/by-subject/${user.id}`, { token: billing });

      const response = await call('GET', `/internal/users/${String(body.id)}`, { token: billing });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: body.id, subject: user.id, email: user.email });
    });

    it('when no profile has that id, then 404', async () => {
      expect((await call('GET', `/internal/users/${randomUUID()}`, { token: billing })).status).toBe(404);
    });

    it('when the id is not a uuid, then 400 naming the parameter', async () => {
      const response = await call('GET', '/internal/users/not-a-uuid', { token: billing });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    });
  });
});
