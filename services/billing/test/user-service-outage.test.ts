import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@platform/contracts';
import { defineService, type RunningService } from '@platform/kit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { createTestUsers, deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import { startSecondInstance, stopSecondInstance } from '@platform/test-support/service-instance';
import { serviceUrl } from '@platform/test-support/stack';
import { userLifecycleQueue } from '../src/events/user-lifecycle-consumer.js';
import { service } from '../src/service.js';
import { accountRowsOf } from './support/billing-database.js';
import { userEvent } from './support/fixtures.js';
import { UserServiceGate } from './support/user-service-gate.js';

// The shared user service keeps running for everybody else. A second billing instance in this
// process reaches it only through a gate the test keeps closed, and consumes from a queue of its
// own that the events are put on directly, so the stack's billing instance never sees them. The
// gate counts every connection billing tries: the lifecycle handlers must make none.
describe('accounts while the user service is down', () => {
  const queue = `billing-test-${randomUUID().slice(0, 8)}.user-lifecycle`;
  let db: pg.Pool;
  let broker: Broker;
  let gate: UserServiceGate;
  let instance: RunningService | undefined;
  let users: TestUser[] = [];

  beforeAll(async () => {
    db = serviceDatabase('billing');
    broker = await Broker.connect();
    users = await createTestUsers('billing-outage', 3);
    gate = await UserServiceGate.start(serviceUrl('user'));
    instance = await startSecondInstance(
      'billing',
      defineService({
        ...service,
        // The production user-lifecycle consumer (handler, attempts, backoff), on the test's own queue.
        consumers: (context) =>
          (service.consumers?.(context) ?? [])
            .filter((consumer) => consumer.queue === userLifecycleQueue)
            .map((consumer) => ({ ...consumer, queue })),
      }),
      { overrides: { USER_SERVICE_URL: gate.url }, consumers: true },
    );
    await broker.queueDeclared(queue);
  });

  afterAll(async () => {
    await stopSecondInstance(instance);
    await gate?.close();
    await broker?.deleteQueues([queue, `${queue}.retry`, `${queue}.dlq`]).catch(() => undefined);
    await broker?.close();
    await deleteTestUsers(users);
    await db?.end();
  });

  async function statusBecomes(user: TestUser, status: string) {
    return eventually(async () => (await accountRowsOf(db, user.id)).find((row) => row.status === status), {
      timeoutMs: 15_000,
      what: `the account of ${user.username} to be ${status}`,
    });
  }

  /** Waits until the consumer has applied (committed) this very event. */
  async function applied(event: EventEnvelope) {
    await eventually(
      async () => {
        const { rows } = await db.query(
          'SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2',
          [userLifecycleQueue, event.id],
        );
        return rows.length > 0 ? true : undefined;
      },
      { timeoutMs: 15_000, what: `event ${event.type} ${event.id} to be applied` },
    );
  }

  async function deliver(type: string, user: TestUser): Promise<void> {
    const event = userEvent(type, user);
    await broker.sendToQueue(queue, event);
    await applied(event);
  }

  it('when the user service is unreachable as a user registers, then the account opens from the event at once, without a call to it', async () => {
    const user = users[0]!;

    await broker.sendToQueue(queue, userEvent('user.registered', user));
    const account = await statusBecomes(user, 'active');

    expect(account.status).toBe('active');
    expect(await accountRowsOf(db, user.id)).toHaveLength(1);
    expect({ refused: gate.refused, forwarded: gate.forwarded }).toEqual({ refused: 0, forwarded: 0 });
  });

  it('when user.disabled arrives before user.registered, then the account opens suspended and the late registration leaves it so', async () => {
    const user = users[1]!;

    await deliver('user.disabled', user);
    expect(await accountRowsOf(db, user.id)).toMatchObject([{ status: 'suspended' }]);
    await deliver('user.registered', user);

    expect(await accountRowsOf(db, user.id)).toMatchObject([{ status: 'suspended' }]);
    await deliver('user.enabled', user);
    expect(await accountRowsOf(db, user.id)).toMatchObject([{ status: 'active' }]);
    expect({ refused: gate.refused, forwarded: gate.forwarded }).toEqual({ refused: 0, forwarded: 0 });
  });

  it('when user.deleted arrives first, then the account opens closed and stays closed whatever comes later', async () => {
    const user = users[2]!;

    await deliver('user.deleted', user);
    await deliver('user.registered', user);
    await deliver('user.enabled', user);

    expect(await accountRowsOf(db, user.id)).toMatchObject([{ status: 'closed' }]);
    expect({ refused: gate.refused, forwarded: gate.forwarded }).toEqual({ refused: 0, forwarded: 0 });
  });
});
