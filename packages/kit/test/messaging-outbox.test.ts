import { randomBytes } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@platform/contracts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amqpUrl, loadEnvironment, loadSecrets } from '@platform/platform/environment';
import { startBroker, stopBroker } from '@platform/dev/stack-control';
import { eventually } from '@platform/test-support/eventually';
import type { AmqpConnection } from '../src/messaging/amqp-connection.js';
import { createEvent } from '../src/messaging/create-event.js';
import { enqueueEvent } from '../src/messaging/enqueue-event.js';
import type { EventPublisher } from '../src/messaging/event-publisher.js';
import { OutboxRelay } from '../src/messaging/outbox-relay.js';
import { EVENTS_EXCHANGE } from '../src/messaging/topology.js';
import { openKitDatabase, startPublisher, type KitDatabase } from './messaging-fixtures.js';

const env = loadEnvironment();
const secrets = loadSecrets();
const url = amqpUrl(env, secrets);
const logger = pino({ level: 'silent' });
const run = randomBytes(6).toString('hex');
// An event type no service binds, so these tests never feed the running services.
const eventType = `kit-test.${run}.account_opened`;
const queue = `kit-test.${run}.outbox`;

/** Everything on the queue after the relay has had `settleMs` to publish anything extra. */
async function drain(channel: Channel, settleMs = 1500): Promise<GetMessage[]> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const messages: GetMessage[] = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (!message) return messages;
    messages.push(message);
  }
}

/** Runs `work` with the broker application stopped, and starts it again whatever happens. */
async function whileBrokerIsDown<T>(connection: AmqpConnection, work: () => Promise<T>): Promise<T> {
  await stopBroker();
  try {
    await eventually(async () => (connection.isConnected() ? undefined : true), {
      what: 'noticing the outage',
    });
    return await work();
  } finally {
    await startBroker();
  }
}

interface OutboxState {
  published: boolean;
  attempts: number;
}

describe('transactional outbox', () => {
  let database: KitDatabase;
  let dataSource: DataSource;
  let amqp: AmqpConnection;
  let publisher: EventPublisher;
  let admin: ChannelModel;
  let channel: Channel;
  const relays: OutboxRelay[] = [];

  function startRelay(pollIntervalMs = 100): OutboxRelay {
    const relay = new OutboxRelay({ dataSource, publisher, logger, pollIntervalMs, maxBackoffMs: 1000 });
    relays.push(relay);
    relay.start();
    return relay;
  }

  /** The backend of the connection on which a relay LISTENs for outbox commits, once there is one. */
  async function listeningBackend(other?: number): Promise<number> {
    return eventually(
      async () => {
        const rows: { pid: number }[] = await dataSource.query(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND query = 'LISTEN outbox_events' AND state = 'idle'`,
        );
        return rows.find((row) => row.pid !== other)?.pid;
      },
      { what: 'a connection listening for outbox commits' },
    );
  }

  /** Commits an event and resolves with the milliseconds until the relay marked it published. */
  async function publishDelay(): Promise<number> {
    const committedAt = Date.now();
    const envelope = await openAccount(`account-${randomBytes(4).toString('hex')}`);
    await eventually(async () => ((await outboxRow(envelope.id))?.published ? true : undefined), {
      intervalMs: 20,
      what: 'publish',
    });
    return Date.now() - committedAt;
  }

  async function openAccount(id: string, options: { rollback?: boolean } = {}) {
    const envelope = createEvent({ type: eventType, version: 1, subject: id, data: { accountId: id } });
    await dataSource
      .transaction(async (manager) => {
        await manager.query('INSERT INTO accounts (id) VALUES ($1)', [id]);
        await enqueueEvent(manager, envelope);
        if (options.rollback) throw new Error('rolled back on purpose');
      })
      .catch((error: unknown) => {
        if (!options.rollback) throw error;
      });
    return envelope;
  }

  async function outboxRow(id: string): Promise<OutboxState | undefined> {
    const rows: { published: boolean; attempts: number }[] = await dataSource.query(
      'SELECT published_at IS NOT NULL AS published, attempts FROM outbox_events WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  async function openAdminChannel(): Promise<void> {
    admin = await connect(url);
    channel = await admin.createChannel();
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, eventType);
  }

  beforeAll(async () => {
    database = await openKitDatabase(logger);
    dataSource = database.dataSource;
    await dataSource.query('CREATE TABLE accounts (id text PRIMARY KEY)');
    ({ amqp, publisher } = await startPublisher(url, logger, 'kit-outbox-test'));
    await openAdminChannel();
  });

  beforeEach(async () => {
    await channel.purgeQueue(queue);
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  afterAll(async () => {
    await channel.deleteQueue(queue);
    await admin.close();
    await amqp.close();
    await database.close();
  });

  it('when a state change and its event commit together, then the event is published exactly once', async () => {
    startRelay();

    const envelope = await openAccount(`account-${randomBytes(4).toString('hex')}`);

    await eventually(async () => ((await outboxRow(envelope.id))?.published ? true : undefined), {
      what: 'publish',
    });
    const messages = await drain(channel);
    expect(messages.map((message) => JSON.parse(message.content.toString('utf8')))).toEqual([envelope]);
    expect(await outboxRow(envelope.id)).toEqual({ published: true, attempts: 0 });
  });

  it('when the transaction rolls back, then neither the state change nor the event exists and nothing is published', async () => {
    startRelay();
    const id = `account-${randomBytes(4).toString('hex')}`;

    const envelope = await openAccount(id, { rollback: true });

    expect(await drain(channel)).toEqual([]);
    expect(await outboxRow(envelope.id)).toBeUndefined();
    expect(await dataSource.query('SELECT id FROM accounts WHERE id = $1', [id])).toEqual([]);
  });

  it('when a transaction commits events, then the relay publishes them at once, not at its next poll', async () => {
    // A poll this slow would leave the event unpublished for the whole test.
    startRelay(60_000);
    await listeningBackend();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const first = await publishDelay();
    const second = await publishDelay();

    expect(first).toBeLessThan(1_000);
    expect(second).toBeLessThan(1_000);
  });

  it('when the listening connection is killed, then the relay listens again and still publishes every event', async () => {
    startRelay(60_000);
    const killed = await listeningBackend();
    await new Promise((resolve) => setTimeout(resolve, 300));

    await dataSource.query('SELECT pg_terminate_backend($1)', [killed]);
    // Committed while nobody listens: found when the relay listens again (after its backoff, ≤ 1 s).
    const duringOutage = await publishDelay();
    const replacement = await listeningBackend(killed);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const afterwards = await publishDelay();

    expect(replacement).not.toBe(killed);
    expect(duringOutage).toBeLessThan(5_000);
    expect(afterwards).toBeLessThan(1_000);
    expect(await drain(channel, 500)).toHaveLength(2);
  });

  it('when an event is enqueued outside a transaction, then it is refused', async () => {
    const envelope = createEvent({ type: eventType, version: 1, subject: 'x', data: {} });

    await expect(enqueueEvent(dataSource.manager, envelope)).rejects.toThrow(
      'enqueueEvent needs the EntityManager of an open transaction (dataSource.transaction(...))',
    );
  });

  it('when no consumer is bound for an event, then it is still published (parked) and marked sent', async () => {
    startRelay();
    const unbound = createEvent({ type: `kit-test.${run}.unbound`, version: 1, subject: 'x', data: {} });
    await dataSource.transaction((manager) => enqueueEvent(manager, unbound));

    await eventually(async () => ((await outboxRow(unbound.id))?.published ? true : undefined), {
      what: 'publish',
    });
    expect((await outboxRow(unbound.id))?.attempts).toBe(0);
  });

  it('when two relays share the outbox, then every event is published exactly once', async () => {
    startRelay();
    startRelay();

    const envelopes: EventEnvelope[] = [];
    for (let index = 0; index < 60; index += 1) envelopes.push(await openAccount(`account-${run}-${index}`));

    await eventually(
      async () => {
        const rows: { pending: number }[] = await dataSource.query(
          'SELECT count(*)::int AS pending FROM outbox_events WHERE published_at IS NULL AND id = ANY($1::uuid[])',
          [envelopes.map((envelope) => envelope.id)],
        );
        return rows[0]?.pending === 0 ? true : undefined;
      },
      { timeoutMs: 15_000, what: 'publishing all events' },
    );
    const ids = (await drain(channel)).map((message) => String(message.properties.messageId));
    expect(ids.sort()).toEqual(envelopes.map((envelope) => envelope.id).sort());
  });

  it('when the commit happens while the broker is down, then after it returns the event arrives exactly once', async () => {
    startRelay();
    // The test's own channel dies with the broker; it is reopened afterwards.
    admin.on('error', () => undefined);
    const envelope = await whileBrokerIsDown(amqp, async () => {
      const committed = await openAccount(`account-${randomBytes(4).toString('hex')}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await outboxRow(committed.id))?.published).toBe(false);
      return committed;
    });

    await eventually(async () => (amqp.isConnected() ? true : undefined), {
      timeoutMs: 30_000,
      what: 'reconnecting',
    });
    await eventually(async () => ((await outboxRow(envelope.id))?.published ? true : undefined), {
      timeoutMs: 15_000,
      what: 'publish',
    });
    await openAdminChannel();
    const messages = await drain(channel);
    expect(messages.map((message) => String(message.properties.messageId))).toEqual([envelope.id]);
    expect((await outboxRow(envelope.id))?.published).toBe(true);
  }, 90_000);
});
