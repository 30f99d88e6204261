/**
 * A disabled or deleted user's access token stays valid cryptographically until it expires; the
 * platform's revocation list (the auth service's consumer writes it, every service reads it) must
 * refuse it everywhere within seconds, directly and through the edge, even where the token already
 * verified once (VerifiedTokenCache), whether the change was made through the auth service's admin
 * API or in Keycloak itself (its events bridge announces those).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@platform/platform/environment';
import { edgeUrl } from '@platform/test-support/edge';
import {
  createTestUser,
  deleteTestUsers,
  keycloakAdmin,
  type TestUser,
} from '@platform/test-support/keycloak-users';
import { serviceUrl } from '@platform/test-support/stack';
import { userToken } from '@platform/test-support/tokens';

/** Where the revocation must bite within this long after the admin's call returned. */
const withinMs = 5_000;

interface Probe {
  readonly name: string;
  readonly url: (person: TestUser) => string;
}

const direct = (service: ServiceName, path: (person: TestUser) => string): Probe => ({
  name: `${service} (direct)`,
  url: (person) => `${serviceUrl(service)}${path(person)}`,
});

/** One route per service the person may call (support reads accounts on the auth service). */
const probes: readonly Probe[] = [
  direct('auth', (person) => `/auth/admin/users/${person.id}`),
  direct('user', () => '/users/me'),
  direct('billing', () => '/billing/invoices'),
  { name: 'user (edge)', url: () => `${edgeUrl}/api/v1/users/me` },
];

async function statusOf(url: string, token: string) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body };
}

/** Polls every probe until each answers `status`; the delay of each since `since`, in ms. */
async function untilEvery(
  person: TestUser,
  token: string,
  status: number,
  since: number,
): Promise<Record<string, number>> {
  const delays: Record<string, number> = {};
  const last: Record<string, number> = {};
  while (Object.keys(delays).length < probes.length) {
    for (const probe of probes.filter((candidate) => delays[candidate.name] === undefined)) {
      const answer = await statusOf(probe.url(person), token);
      last[probe.name] = answer.status;
      if (answer.status === status) delays[probe.name] = Math.round(performance.now() - since);
    }
    if (performance.now() - since > withinMs) {
      throw new Error(`not every probe answered ${status} within ${withinMs} ms: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return delays;
}

async function admin(method: string, path: string, adminToken: string): Promise<number> {
  const response = await fetch(`${serviceUrl('auth')}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}` },
  });
  await response.arrayBuffer();
  return response.status;
}

describe('token revocation across the platform', () => {
  let adminToken: string;
  const people: TestUser[] = [];

  beforeAll(async () => {
    adminToken = await userToken('ada');
  });

  afterAll(async () => {
    await deleteTestUsers(people);
  });

  async function personWithAcceptedToken(label: string): Promise<{ person: TestUser; token: string }> {
    const person = await createTestUser(label, { realmRoles: ['support'] });
    people.push(person);
    const token = await person.token();
    // Also puts the token into each service's VerifiedTokenCache: the refusal below must get past it.
    for (const probe of probes) {
      expect({ probe: probe.name, status: (await statusOf(probe.url(person), token)).status }).toEqual({
        probe: probe.name,
        status: 200,
      });
    }
    return { person, token };
  }

  it('when an admin disables a user, then their still-valid token is refused with 401 by every service and the edge within 5 s; enabled, it is accepted again', async () => {
    const { person, token } = await personWithAcceptedToken('revoke-disable');

    const disabledAt = performance.now();
    expect(await admin('POST', `/auth/admin/users/${person.id}/disable`, adminToken)).toBe(200);
    const refused = await untilEvery(person, token, 401, disabledAt);
    console.log(`disable → 401 after (ms): ${JSON.stringify(refused)}`);

    const answer = await statusOf(`${serviceUrl('user')}/users/me`, token);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 401,
      detail: 'The access token has been revoked',
    });

    const enabledAt = performance.now();
    expect(await admin('POST', `/auth/admin/users/${person.id}/enable`, adminToken)).toBe(200);
    const accepted = await untilEvery(person, token, 200, enabledAt);
    console.log(`enable → 200 after (ms): ${JSON.stringify(accepted)}`);
  });

  it('when an admin deletes a user, then their still-valid token is refused with 401 by every service and the edge within 5 s', async () => {
    const { person, token } = await personWithAcceptedToken('revoke-delete');

    const deletedAt = performance.now();
    expect(await admin('DELETE', `/auth/admin/users/${person.id}`, adminToken)).toBe(204);
    const refused = await untilEvery(person, token, 401, deletedAt);
    console.log(`delete → 401 after (ms): ${JSON.stringify(refused)}`);
  });

  it('when a user is disabled in Keycloak itself, then their still-valid token is refused with 401 by every service and the edge within 5 s; enabled there, it is accepted again', async () => {
    const { person, token } = await personWithAcceptedToken('revoke-console');
    const keycloak = await keycloakAdmin();

    const disabledAt = performance.now();
    await keycloak.users.update({ id: person.id }, { enabled: false });
    const refused = await untilEvery(person, token, 401, disabledAt);
    console.log(`Keycloak disable → 401 after (ms): ${JSON.stringify(refused)}`);

    const enabledAt = performance.now();
    await keycloak.users.update({ id: person.id }, { enabled: true });
    const accepted = await untilEvery(person, token, 200, enabledAt);
    console.log(`Keycloak enable → 200 after (ms): ${JSON.stringify(accepted)}`);
  });

  it('when a user is deleted in Keycloak itself, then their still-valid token is refused with 401 by every service and the edge within 5 s', async () => {
    const { person, token } = await personWithAcceptedToken('revoke-console-delete');

    const deletedAt = performance.now();
    await (await keycloakAdmin()).users.del({ id: person.id });
    const refused = await untilEvery(person, token, 401, deletedAt);
    console.log(`Keycloak delete → 401 after (ms): ${JSON.stringify(refused)}`);
  });
});
