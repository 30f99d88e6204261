/**
 * The Keycloak → platform events bridge against the real stack: people created or changed in
 * Keycloak itself (here: by the master realm's administrator, as in the admin console) reach the
 * user and billing services; changes the auth service makes itself are announced once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '@platform/kit';
import { edgeUrl } from '@platform/test-support/edge';
import { eventually } from '@platform/test-support/eventually';
import {
  createTestUser,
  deleteTestUsers,
  keycloakAdmin as masterAdmin,
  type TestUser,
} from '@platform/test-support/keycloak-users';
import { queryOnce, serviceDatabaseUrl } from '@platform/test-support/postgres';
import {
  startSecondInstance,
  stopSecondInstance,
  unreachableKeycloak,
} from '@platform/test-support/service-instance';
import { userToken } from '@platform/test-support/tokens';
import { service } from '../src/service.js';
import { authDb, call } from './support/auth-stack.js';
import { EventWatch } from './support/event-watch.js';
import { idOf } from './support/keycloak-fixtures.js';

type Admin = Awaited<ReturnType<typeof masterAdmin>>;

const lifecycle = ['user.registered', 'user.updated', 'user.disabled', 'user.enabled', 'user.deleted'];
const people: TestUser[] = [];
let admin: Admin;
let events: EventWatch;

beforeAll(async () => {
  admin = await masterAdmin();
  events = await EventWatch.start(lifecycle);
});

afterAll(async () => {
  await events.stop();
  // A fresh administrator session: the first one's tokens may have run out by now.
  await deleteTestUsers(people);
});

/** A person made by the master realm's administrator, not by any platform service. */
async function consolePerson(label: string): Promise<TestUser> {
  const person = await createTestUser(label, { admin });
  people.push(person);
  return person;
}

const billingAccountStatus = async (userId: string) =>
  (
    await queryOnce<{ status: string }>(
      serviceDatabaseUrl('billing'),
      'SELECT status FROM accounts WHERE user_id = $1',
      [userId],
    )
  )[0]?.status;

const userRowStatus = async (userId: string) =>
  (
    await queryOnce<{ status: string }>(
      serviceDatabaseUrl('user'),
      'SELECT status FROM users WHERE subject = $1',
      [userId],
    )
  )[0]?.status;

const outboxCount = async (type: string, subject: string) =>
  Number(
    (
      await authDb<{ count: string }>(
        "SELECT count(*) AS count FROM outbox_events WHERE type = $1 AND payload->>'subject' = $2",
        [type, subject],
      )
    )[0]?.count,
  );

describe('Keycloak events bridge', () => {
  it('when a person is created directly in Keycloak, then the user and billing services know them within 5 s', async () => {
    const started = Date.now();
    const person = await consolePerson('bridge-created');

    await eventually(() => userRowStatus(person.id), {
      timeoutMs: 5_000,
      intervalMs: 50,
      what: 'the users row',
    });
    const userDelay = Date.now() - started;
    await eventually(() => billingAccountStatus(person.id), {
      timeoutMs: 5_000,
      intervalMs: 50,
      what: 'the billing account',
    });
    const billingDelay = Date.now() - started;
    console.info(`bridge: users row after ${userDelay} ms, billing account after ${billingDelay} ms`);

    expect(await billingAccountStatus(person.id)).toBe('active');
    const registered = await events.waitFor('user.registered', person.id);
    expect(registered.data).toMatchObject({
      userId: person.id,
      username: person.username,
      email: person.email,
    });
    expect(events.about('user.registered', person.id)).toHaveLength(1);
  });

  it('when a profile or the roles change in Keycloak, then user.updated', async () => {
    const person = await consolePerson('bridge-profile');
    await events.waitFor('user.registered', person.id);

    await admin.users.update({ id: person.id }, { firstName: 'Renamed' });
    const updated = await events.waitFor('user.updated', person.id);
    expect(updated.data).toMatchObject({ userId: person.id, firstName: 'Renamed' });

    const support = await admin.roles.findOneByName({ name: 'support' });
    await admin.users.addRealmRoleMappings({ id: person.id, roles: [{ id: support!.id!, name: 'support' }] });
    await eventually(async () => (events.about('user.updated', person.id).length >= 2 ? true : undefined), {
      what: 'user.updated after the role change',
    });
  });

  it('when a person is disabled and enabled again in Keycloak, then user.disabled and user.enabled follow', async () => {
    const person = await consolePerson('bridge-disable');
    await eventually(() => billingAccountStatus(person.id), { what: 'the billing account' });

    await admin.users.update({ id: person.id }, { enabled: false });
    await events.waitFor('user.disabled', person.id);
    await eventually(
      async () => ((await billingAccountStatus(person.id)) === 'suspended' ? true : undefined),
      {
        what: 'the suspended account',
      },
    );

    await admin.users.update({ id: person.id }, { enabled: true });
    await events.waitFor('user.enabled', person.id);
    await eventually(async () => ((await billingAccountStatus(person.id)) === 'active' ? true : undefined), {
      what: 'the re-activated account',
    });
    expect(events.about('user.updated', person.id)).toHaveLength(0);
  });

  it("when the auth service's own admin API changes someone, then exactly one event per change", async () => {
    const person = await consolePerson('bridge-own-change');
    await events.waitFor('user.registered', person.id);
    const adaToken = await userToken('ada');

    const response = await call('POST', `/auth/admin/users/${person.id}/disable`, { token: adaToken });
    expect(response.status).toBe(200);
    await events.waitFor('user.disabled', person.id);
    const granted = await call('PUT', `/auth/admin/users/${person.id}/roles/support`, { token: adaToken });
    expect(granted.status).toBe(200);
    await events.waitFor('user.updated', person.id);
    // Several bridge cycles later there are still only the service's own events.
    await sleep(3_000);
    expect(events.about('user.disabled', person.id)).toHaveLength(1);
    expect(events.about('user.updated', person.id)).toHaveLength(1);
    expect(await outboxCount('user.disabled', person.id)).toBe(1);
    expect(await outboxCount('user.updated', person.id)).toBe(1);
  });

  it('when bridges restart and compete while people are created, then each gets exactly one user.registered', async () => {
    // Two more auth instances besides the stack's: all three poll, the advisory lock lets one read.
    let first: RunningService | undefined = await startSecondInstance('auth', service, { consumers: true });
    const second = await startSecondInstance('auth', service, { consumers: true });
    const created: TestUser[] = [];
    try {
      for (let index = 0; index < 20; index += 1) {
        created.push(await consolePerson('bridge-restart'));
        if (index === 6) {
          await stopSecondInstance(first);
          first = undefined;
        }
        if (index === 12) first = await startSecondInstance('auth', service, { consumers: true });
      }
      await eventually(
        async () => {
          const counts = await Promise.all(
            created.map((person) => outboxCount('user.registered', person.id)),
          );
          return counts.every((count) => count >= 1) ? counts : undefined;
        },
        { timeoutMs: 15_000, what: 'user.registered for all 20' },
      );
      await sleep(2_000);
      const counts = await Promise.all(created.map((person) => outboxCount('user.registered', person.id)));
      expect(counts).toEqual(created.map(() => 1));
    } finally {
      await stopSecondInstance(first);
      await stopSecondInstance(second);
    }
  });

  it('when Keycloak cannot be reached, then the bridge counts failed cycles, the service stays up and stops cleanly', async () => {
    const instance = await startSecondInstance('auth', service, {
      overrides: { ...(await unreachableKeycloak()), KEYCLOAK_EVENTS_POLL_MS: '200' },
      consumers: true,
    });
    try {
      const failures = await eventually(
        async () => {
          const metrics = await (await fetch(`${instance.managementUrl}/metrics`)).text();
          const count = Number(/^app_identity_bridge_poll_failures_total\S* (\d+)/m.exec(metrics)?.[1] ?? 0);
          return count >= 2 ? count : undefined;
        },
        { what: 'two failed bridge cycles' },
      );
      expect(failures).toBeGreaterThanOrEqual(2);
      expect((await fetch(`${instance.managementUrl}/healthz`)).status).toBe(200);
    } finally {
      const stopping = Date.now();
      await stopSecondInstance(instance);
      // The loop waits in its backoff pause, which shutdown cuts short.
      expect(Date.now() - stopping).toBeLessThan(5_000);
    }
  });

  it('when the stack is up, then the dev user alice (imported with the realm) has a billing account', async () => {
    const aliceId = await idOf('alice');
    expect(await eventually(() => billingAccountStatus(aliceId), { what: "alice's billing account" })).toBe(
      'active',
    );
    const response = await fetch(`${edgeUrl}/api/v1/billing/accounts/me`, {
      headers: { authorization: `Bearer ${await userToken('alice')}` },
    });
    expect(response.status).toBe(200);
  });
});
