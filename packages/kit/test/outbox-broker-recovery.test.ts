import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@platform/contracts';
import { amqpUrl, loadEnvironment, loadSecrets } from '@platform/platform/environment';
import { startBroker, stopBroker } from '@platform/dev/stack-control';
import { eventually } from '@platform/test-support/eventually';
import { entityManagerOf } from '../src/db/unit-of-work.js';
import { AmqpConnection } from '../src/messaging/amqp-connection.js';
import { createEvent } from '../src/messaging/create-event.js';
import { enqueueEvent } from '../src/messaging/enqueue-event.js';
import { startConsumer, type ConsumerHandle } from '../src/messaging/event-consumer.js';
import { EventPublisher } from '../src/messaging/event-publisher.js';
import { OutboxRelay } from '../src/messaging/outbox-relay.js';
import { openKitDatabase, type KitDatabase } from './messaging-fixtures.js';

const env = loadEnvironment();
const url = amqpUrl(env, loadSecrets());
const logger = pino({ level: 'silent' });
const run = randomBytes(6).toString('hex');
// An event type and queue of this test's own, so the running services never see these events.
const eventType = `kit-test.${run}.order_placed`;
const queue = `kit-test.${run}.recovery`;
const consumerName = `kit-test-recovery-${run}`;

/** Long enough for the old reconnect backoff (doubling from 0.5 s, up to 30 s) to reach 8–16 s. */
const outageMs = 14_000;
const eventsDuringOutage = 120;
/** From the broker's port accepting again to every event applied by the consumer. */
const drainBudgetMs = 2_000;

describe('outbox after a broker outage', () => {
  let database: KitDatabase;
  let dataSource: DataSource;
  // A service's messaging exactly as start-service builds it: default reconnect and relay settings.
  let amqp: AmqpConnection;
  let publisher: EventPublisher;
  let relay: OutboxRelay;
  let consumer: ConsumerHandle;
  let brokerStopped = false;

  async function placeOrder(): Promise<EventEnvelope> {
    const id = randomBytes(6).toString('hex');
    const envelope = createEvent({ type: eventType, version: 1, subject: id, data: { orderId: id } });
    await dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO orders (id) VALUES ($1)', [id]);
      await enqueueEvent(manager, envelope);
    });
    return envelope;
  }

  async function appliedCounts(ids: string[]): Promise<{ distinct: number; rows: number }> {
    const [counts] = (await dataSource.query(
      `SELECT count(DISTINCT event_id)::int AS distinct, count(*)::int AS rows
         FROM applied_events WHERE event_id = ANY($1::uuid[])`,
      [ids],
    )) as { distinct: number; rows: number }[];
    return counts!;
  }

  async function pendingInOutbox(): Promise<number> {
    const [pending] = (await dataSource.query(
      'SELECT count(*)::int AS count FROM outbox_events WHERE published_at IS NULL',
    )) as { count: number }[];
    return pending!.count;
  }

  beforeAll(async () => {
    database = await openKitDatabase(logger);
    dataSource = database.dataSource;
    await dataSource.query('CREATE TABLE orders (id text PRIMARY KEY)');
    // No unique key: an event applied twice would show up as a second row.
    await dataSource.query('CREATE TABLE applied_events (event_id uuid NOT NULL)');
    amqp = new AmqpConnection({ url, logger, connectionName: 'kit-recovery-test' });
    await amqp.connect();
    publisher = new EventPublisher({ amqp, logger });
    await publisher.start();
    relay = new OutboxRelay({ dataSource, publisher, logger });
    relay.start();
    consumer = await startConsumer({
      amqp,
      dataSource,
      logger,
      consumerName,
      queue,
      routingKeys: [eventType],
      handler: async (envelope, tx) => {
        await entityManagerOf(tx).query('INSERT INTO applied_events (event_id) VALUES ($1)', [envelope.id]);
      },
    });
  });

  afterAll(async () => {
    // Never leave the shared broker stopped, whatever failed above.
    if (brokerStopped) await startBroker();
    await consumer?.stop();
    await relay?.stop();
    if (amqp?.isConnected()) {
      const cleanup = await amqp.onConnected(async (connection) => {
        const channel = await connection.createChannel();
        for (const name of [queue, `${queue}.retry`, `${queue}.dlq`]) await channel.deleteQueue(name);
        await channel.close();
      });
      cleanup.unsubscribe();
    }
    await publisher?.close();
    await amqp?.close();
    await database?.close();
  });

  it('when events are committed while the broker is down, then all are applied exactly once within 2 s of its port accepting again', async () => {
    const warmUp = await placeOrder();
    await eventually(async () => ((await appliedCounts([warmUp.id])).rows === 1 ? true : undefined), {
      what: 'the warm-up event',
    });

    await stopBroker();
    brokerStopped = true;
    await eventually(async () => (amqp.isConnected() ? undefined : true), { what: 'noticing the outage' });
    const envelopes: EventEnvelope[] = [];
    const outageEnds = Date.now() + outageMs;
    // Spread over the outage, as traffic would be, while the reconnect loop keeps failing.
    for (let index = 0; index < eventsDuringOutage; index += 1) {
      envelopes.push(await placeOrder());
      await sleep((outageEnds - Date.now()) / (eventsDuringOutage - index));
    }
    const ids = envelopes.map((envelope) => envelope.id);
    expect(await appliedCounts(ids)).toEqual({ distinct: 0, rows: 0 });

    // Watched from before the start: rabbitmqctl returns a second or more after the port opens.
    const published = eventually(async () => ((await pendingInOutbox()) === 0 ? Date.now() : undefined), {
      timeoutMs: 60_000,
      intervalMs: 25,
      what: 'every event published',
    });
    const drained = eventually(
      async () => ((await appliedCounts(ids)).distinct === ids.length ? Date.now() : undefined),
      { timeoutMs: 60_000, intervalMs: 25, what: 'every event applied' },
    );
    const { portAcceptedAt } = await startBroker();
    brokerStopped = false;
    const publishMs = (await published) - portAcceptedAt;
    const drainMs = (await drained) - portAcceptedAt;
    console.log(
      `[outbox recovery] ${ids.length} events committed during a ${outageMs / 1000} s outage; after the ` +
        `broker's port accepted again: all published in ${publishMs} ms, all applied in ${drainMs} ms`,
    );

    expect(drainMs).toBeLessThanOrEqual(drainBudgetMs);
    // Long enough for a duplicate publish or redelivery to arrive and be applied.
    await sleep(1_500);
    expect(await appliedCounts(ids)).toEqual({ distinct: ids.length, rows: ids.length });
    expect(await pendingInOutbox()).toBe(0);
  }, 90_000);
});
