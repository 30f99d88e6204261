import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestUser,
  deleteTestUsers,
  keycloakAdmin,
  type TestUser,
} from '@platform/test-support/keycloak-users';
import { managementUrl } from '@platform/test-support/stack';
import { call } from './support/user-api.js';

/** How many Admin API user reads the running user service has made so far. */
async function keycloakUserReads(): Promise<number> {
  const text = await (await fetch(`${managementUrl('user')}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('app_keycloak_admin_request_duration_seconds_count{') &&
        line.includes('operation="users.findOne"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('GET /users/me and Keycloak', () => {
  let person: TestUser;
  let token: string;

  beforeAll(async () => {
    person = await createTestUser('read-cache');
    token = await person.token();
    expect((await call('GET', '/users/me', { token })).status).toBe(200);
  });

  afterAll(async () => {
    await deleteTestUsers([person]);
  });

  it('when the same person reads their profile repeatedly, then Keycloak is asked at most once', async () => {
    const before = await keycloakUserReads();

    for (let read = 0; read < 5; read += 1)
      expect((await call('GET', '/users/me', { token })).status).toBe(200);

    expect((await keycloakUserReads()) - before).toBeLessThanOrEqual(1);
  });

  it('when the person changes a Keycloak-owned field through this service, then the next read shows it at once', async () => {
    const patched = await call('PATCH', '/users/me', { token, body: { firstName: 'Renamed' } });
    expect(patched.status).toBe(200);

    const read = await call('GET', '/users/me', { token });

    expect(read.body).toMatchObject({ firstName: 'Renamed' });
    const stored = await (await keycloakAdmin()).users.findOne({ id: person.id });
    expect(stored?.firstName).toBe('Renamed');
  });
});
