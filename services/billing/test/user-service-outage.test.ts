import { randomUUID } from 'node:crypto';
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
// process reaches it only through a gate the test holds closed, and consumes from a queue of its
// own that the event is put on directly, so the stack's billing instance never sees the event.
describe('account creation while the user service is down', () => {
  const queue = `billing-test-${randomUUID().slice(0, 8)}.user-lifecycle`;
  let db: pg.Pool;
  let broker: Broker;
  let gate: UserServiceGate;
  let instance: RunningService | undefined;
  let users: TestUser[] = [];

  beforeAll(async () => {
    db = serviceDatabase('billing');
    broker = await Broker.connect();
    users = await createTestUsers('billing-outage', 1);
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
  });

  afterAll(async () => {
    await stopSecondInstance(instance);
    await gate?.close();
    await broker?.deleteQueues([queue, `${queue}.retry`, `${queue}.dlq`]).catch(() => undefined);
    await broker?.close();
    await deleteTestUsers(users);
    await db?.end();
  });

  it('when the user service is unreachable as a user registers, then the event is retried until it is back and the account is opened', async () => {
    const user = users[0]!;

    await broker.queueDeclared(queue);
    await broker.sendToQueue(queue, userEvent('user.registered', user));

    // One handler attempt calls at most 3 times (1 + 2 quick retries); more means the event came back.
    await eventually(async () => (gate.refused > 3 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'billing to retry the event',
    });
    expect(await accountRowsOf(db, user.id)).toEqual([]);

    gate.open();
    const account = await eventually(async () => (await accountRowsOf(db, user.id))[0], {
      timeoutMs: 90_000,
      intervalMs: 500,
      what: 'the account once the user service is reachable',
    });

    expect(account.status).toBe('active');
    expect(gate.forwarded).toBeGreaterThan(0);
    expect(await accountRowsOf(db, user.id)).toHaveLength(1);
  }, 150_000);
});
