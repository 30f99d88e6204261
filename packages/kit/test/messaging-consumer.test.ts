import { randomBytes } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@platform/contracts';
import { amqpUrl, loadEnvironment, loadSecrets } from '@platform/platform/environment';
import { startBroker, stopBroker } from '@platform/dev/stack-control';
import { eventually } from '@platform/test-support/eventually';
import { entityManagerOf, type Transaction } from '../src/db/unit-of-work.js';
import type { AmqpConnection } from '../src/messaging/amqp-connection.js';
import { createEvent } from '../src/messaging/create-event.js';
import {
  startConsumer,
  type BatchEventHandler,
  type ConsumerHandle,
  type EventHandler,
} from '../src/messaging/event-consumer.js';
import type { EventPublisher } from '../src/messaging/event-publisher.js';
import { EVENTS_EXCHANGE } from '../src/messaging/topology.js';
import { openKitDatabase, startPublisher, type KitDatabase } from './messaging-fixtures.js';

const env = loadEnvironment();
const secrets = loadSecrets();
const url = amqpUrl(env, secrets);
const logger = pino({ level: 'silent' });
const run = randomBytes(6).toString('hex');
const consumerName = `kit-test-${run}`;

const settle = (ms = 1000) => new Promise((resolve) => setTimeout(resolve, ms));

describe('idempotent consumer', () => {
  let database: KitDatabase;
  let dataSource: DataSource;
  let amqp: AmqpConnection;
  let publisher: EventPublisher;
  let admin: ChannelModel;
  let channel: Channel;
  let consumers: ConsumerHandle[] = [];
  const queues: string[] = [];
  let testNumber = 0;

  /** A fresh queue and event type per test, so tests (and the running services) never share messages. */
  async function consume(
    handler: EventHandler,
    options: { maxAttempts?: number; backoffMs?: number; batchHandler?: BatchEventHandler } = {},
  ) {
    testNumber += 1;
    const queue = `kit-test.${run}.consumer-${testNumber}`;
    const type = `kit-test.${run}.event-${testNumber}`;
    queues.push(queue, `${queue}.retry`, `${queue}.dlq`);
    const consumer = await startConsumer({
      amqp,
      dataSource,
      consumerName,
      queue,
      routingKeys: [type],
      handler,
      batchHandler: options.batchHandler,
      maxAttempts: options.maxAttempts ?? 5,
      backoffMs: () => options.backoffMs ?? 100,
      prefetch: 10,
      logger,
    });
    consumers.push(consumer);
    return { queue, type };
  }

  /** The handler's side effect: a row per applied event, in the handler's transaction. */
  async function record(envelope: EventEnvelope, tx: Transaction): Promise<void> {
    await entityManagerOf(tx).query('INSERT INTO applied_events (event_id, subject) VALUES ($1, $2)', [
      envelope.id,
      envelope.subject,
    ]);
  }

  async function appliedCount(eventId: string): Promise<number> {
    const rows: { count: number }[] = await dataSource.query(
      'SELECT count(*)::int AS count FROM applied_events WHERE event_id = $1',
      [eventId],
    );
    return rows[0]?.count ?? 0;
  }

  async function processedCount(eventId: string): Promise<number> {
    const rows: { count: number }[] = await dataSource.query(
      'SELECT count(*)::int AS count FROM processed_messages WHERE consumer = $1 AND message_id = $2',
      [consumerName, eventId],
    );
    return rows[0]?.count ?? 0;
  }

  async function nextMessage(queue: string, timeoutMs = 10_000): Promise<GetMessage> {
    return eventually(async () => (await channel.get(queue, { noAck: true })) || undefined, {
      timeoutMs,
      what: `a message on ${queue}`,
    });
  }

  async function messageCount(queue: string): Promise<number> {
    return (await channel.checkQueue(queue)).messageCount;
  }

  /** The transaction a handler runs in, to tell which messages were applied in one batch. */
  async function transactionOf(tx: Transaction): Promise<string> {
    const rows: { id: string }[] = await entityManagerOf(tx).query('SELECT txid_current()::text AS id');
    return rows[0]!.id;
  }

  /**
   * A first message whose handler waits until `open()`: whatever is published meanwhile is
   * delivered and buffered, and (once every message has left the queue) applied as one batch.
   */
  function gate() {
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    let entered: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (entered = resolve));
    return {
      subject: 'gate',
      /** For the handler: waits when `envelope` is the gate's message, else returns at once. */
      async pass(envelope: EventEnvelope): Promise<boolean> {
        if (envelope.subject !== 'gate') return false;
        entered();
        await opened;
        return true;
      },
      reached,
      /** Opens once every message published behind the gate has been delivered. */
      async openWhenDelivered(queue: string): Promise<void> {
        await eventually(async () => ((await messageCount(queue)) === 0 ? true : undefined), {
          what: 'every message delivered to the consumer',
        });
        await settle(300);
        open();
      },
    };
  }

  beforeAll(async () => {
    database = await openKitDatabase(logger);
    dataSource = database.dataSource;
    await dataSource.query('CREATE TABLE applied_events (event_id uuid NOT NULL, subject text NOT NULL)');
    ({ amqp, publisher } = await startPublisher(url, logger, 'kit-consumer-test'));
    admin = await connect(url);
    admin.on('error', () => undefined);
    channel = await admin.createChannel();
  });

  afterEach(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    consumers = [];
    // Its own connection: the shared one may have died with a broker restart in the test.
    const cleanup = await connect(url);
    const cleanupChannel = await cleanup.createChannel();
    for (const queue of queues.splice(0)) await cleanupChannel.deleteQueue(queue);
    await cleanup.close();
  });

  afterAll(async () => {
    await admin.close();
    await amqp.close();
    await database.close();
  });

  it('when the same message is delivered twice, then it is applied once', async () => {
    let calls = 0;
    const { type } = await consume(async (envelope, tx) => {
      calls += 1;
      await record(envelope, tx);
    });
    const envelope = createEvent({ type, version: 1, subject: 'user-1', data: { userId: 'user-1' } });

    await publisher.publish(envelope);
    await publisher.publish(envelope);

    await eventually(async () => ((await processedCount(envelope.id)) === 1 ? true : undefined), {
      what: 'applying',
    });
    await settle();
    expect(await appliedCount(envelope.id)).toBe(1);
    expect(calls).toBe(1);
  });

  it('when the handler fails once and then succeeds, then the message is retried and applied once', async () => {
    const attempts: number[] = [];
    const { queue, type } = await consume(async (envelope, tx) => {
      await record(envelope, tx);
      attempts.push(attempts.length + 1);
      if (attempts.length === 1) throw new Error('transient failure');
    });
    const envelope = createEvent({ type, version: 1, subject: 'user-2', data: { userId: 'user-2' } });

    await publisher.publish(envelope);

    await eventually(async () => ((await processedCount(envelope.id)) === 1 ? true : undefined), {
      what: 'applying',
    });
    await settle();
    expect(attempts).toEqual([1, 2]);
    // The first attempt's insert rolled back with its failure.
    expect(await appliedCount(envelope.id)).toBe(1);
    expect(await messageCount(`${queue}.dlq`)).toBe(0);
    expect(await messageCount(`${queue}.retry`)).toBe(0);
  });

  it('when the handler always fails, then after maxAttempts the message is in the DLQ with the reason', async () => {
    let calls = 0;
    const { queue, type } = await consume(
      async (envelope, tx) => {
        calls += 1;
        await record(envelope, tx);
        throw new Error('the account does not exist');
      },
      { maxAttempts: 3 },
    );
    const envelope = createEvent({ type, version: 1, subject: 'user-3', data: { userId: 'user-3' } });

    await publisher.publish(envelope);

    const dead = await nextMessage(`${queue}.dlq`);
    expect(JSON.parse(dead.content.toString('utf8'))).toEqual(envelope);
    expect(dead.properties.messageId).toBe(envelope.id);
    expect(dead.properties.headers?.['x-failure-reason']).toBe('the account does not exist');
    expect(dead.properties.headers?.['x-attempts']).toBe(3);
    expect(dead.properties.headers?.['x-consumer']).toBe(consumerName);
    expect(dead.properties.headers?.['x-original-routing-key']).toBe(type);
    expect(calls).toBe(3);
    expect(await appliedCount(envelope.id)).toBe(0);
    expect(await processedCount(envelope.id)).toBe(0);
  });

  it('when one handler of a batch throws, then the others are applied once and only that message goes to retry', async () => {
    const held = gate();
    const transactions = new Map<string, string[]>();
    let failedOnce = false;
    const { queue, type } = await consume(
      async (envelope, tx) => {
        if (await held.pass(envelope)) return;
        transactions.set(envelope.subject, [
          ...(transactions.get(envelope.subject) ?? []),
          await transactionOf(tx),
        ]);
        await record(envelope, tx);
        if (envelope.subject === 'flaky' && !failedOnce) {
          failedOnce = true;
          throw new Error('transient failure');
        }
      },
      // Long enough to see the failed message wait in the retry queue while the others are applied.
      { backoffMs: 2_000 },
    );
    const event = (subject: string) => createEvent({ type, version: 1, subject, data: {} });
    await publisher.publish(event(held.subject));
    await held.reached;
    const batch = ['before', 'flaky', 'after'].map(event);
    for (const envelope of batch) await publisher.publish(envelope);
    await held.openWhenDelivered(queue);
    const [before, flaky, after] = batch.map((envelope) => envelope.id) as [string, string, string];

    await eventually(
      async () =>
        (await processedCount(before)) === 1 && (await processedCount(after)) === 1 ? true : undefined,
      { what: 'the others applied' },
    );
    // One transaction ran "before" and "flaky", stopped at the failure and rolled back; then each
    // of the others was applied in a transaction of its own, "flaky" waiting in the retry queue.
    const [batchTransaction, beforeAlone] = transactions.get('before')!;
    expect(transactions.get('flaky')![0]).toBe(batchTransaction);
    expect(beforeAlone).not.toBe(batchTransaction);
    expect(transactions.get('after')).toHaveLength(1);
    expect(transactions.get('after')![0]).not.toBe(batchTransaction);
    expect(await processedCount(flaky)).toBe(0);
    expect(await messageCount(`${queue}.retry`)).toBe(1);

    await eventually(async () => ((await processedCount(flaky)) === 1 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the failed message applied after its retry',
    });
    await settle();
    for (const id of [before, flaky, after]) {
      expect(await appliedCount(id)).toBe(1);
      expect(await processedCount(id)).toBe(1);
    }
    // Its handler ran once per attempt: in the batch, then from the retry queue.
    expect(transactions.get('flaky')).toHaveLength(2);
    expect(await messageCount(`${queue}.retry`)).toBe(0);
    expect(await messageCount(`${queue}.dlq`)).toBe(0);
    expect(await messageCount(queue)).toBe(0);
  }, 30_000);

  it('when a batch holds an event already applied and two copies of a new one, then each is applied once', async () => {
    const held = gate();
    const calls = new Map<string, string[]>();
    const { queue, type } = await consume(async (envelope, tx) => {
      if (await held.pass(envelope)) return;
      calls.set(envelope.subject, [...(calls.get(envelope.subject) ?? []), await transactionOf(tx)]);
      await record(envelope, tx);
    });
    const old = createEvent({ type, version: 1, subject: 'old', data: {} });
    const fresh = createEvent({ type, version: 1, subject: 'fresh', data: {} });
    const other = createEvent({ type, version: 1, subject: 'other', data: {} });
    await publisher.publish(old);
    await eventually(async () => ((await processedCount(old.id)) === 1 ? true : undefined), {
      what: 'the first event applied',
    });

    await publisher.publish(createEvent({ type, version: 1, subject: held.subject, data: {} }));
    await held.reached;
    for (const envelope of [old, fresh, other, fresh]) await publisher.publish(envelope);
    await held.openWhenDelivered(queue);

    await eventually(
      async () =>
        (await processedCount(fresh.id)) === 1 && (await processedCount(other.id)) === 1 ? true : undefined,
      { what: 'the batch applied' },
    );
    await settle();
    expect(calls.get('old')).toHaveLength(1);
    expect(calls.get('fresh')).toHaveLength(1);
    expect(calls.get('other')).toHaveLength(1);
    // The new ones were applied together, in one batch.
    expect(calls.get('fresh')).toEqual(calls.get('other'));
    for (const envelope of [old, fresh, other]) {
      expect(await appliedCount(envelope.id)).toBe(1);
      expect(await processedCount(envelope.id)).toBe(1);
    }
    expect(await messageCount(queue)).toBe(0);
    expect(await messageCount(`${queue}.retry`)).toBe(0);
    expect(await messageCount(`${queue}.dlq`)).toBe(0);
  });

  it('when a batch handler is given, then new events are applied in one call per round of distinct subjects, in order', async () => {
    const held = gate();
    const rounds: { ids: string[]; transaction: string }[] = [];
    let aloneCalls = 0;
    const { queue, type } = await consume(
      async (envelope, tx) => {
        if (await held.pass(envelope)) return;
        aloneCalls += 1;
        await record(envelope, tx);
      },
      {
        batchHandler: async (envelopes, tx) => {
          rounds.push({
            ids: envelopes.map((envelope) => envelope.id),
            transaction: await transactionOf(tx),
          });
          for (const envelope of envelopes) await record(envelope, tx);
        },
      },
    );
    await publisher.publish(createEvent({ type, version: 1, subject: held.subject, data: {} }));
    await held.reached;
    const batch = ['a', 'b', 'a', 'c', 'b'].map((subject) =>
      createEvent({ type, version: 1, subject, data: {} }),
    );
    for (const envelope of batch) await publisher.publish(envelope);
    await held.openWhenDelivered(queue);

    await eventually(async () => (rounds.length === 2 ? true : undefined), { what: 'both rounds applied' });
    await settle();
    const [a1, b1, a2, c, b2] = batch.map((envelope) => envelope.id);
    // A subject's second event waits for the next round: rounds in order are the events in order.
    expect(rounds.map((round) => round.ids)).toEqual([
      [a1, b1, c],
      [a2, b2],
    ]);
    expect(rounds[1]!.transaction).toBe(rounds[0]!.transaction);
    expect(aloneCalls).toBe(0);
    for (const envelope of batch) {
      expect(await appliedCount(envelope.id)).toBe(1);
      expect(await processedCount(envelope.id)).toBe(1);
    }
    expect(await messageCount(`${queue}.retry`)).toBe(0);
    expect(await messageCount(`${queue}.dlq`)).toBe(0);
  });

  it('when the batch handler throws, then nothing of it stays and each message is applied alone; only the failing one is dead-lettered', async () => {
    const held = gate();
    const { queue, type } = await consume(
      async (envelope, tx) => {
        if (await held.pass(envelope)) return;
        await record(envelope, tx);
        if (envelope.subject === 'poison') throw new Error('cannot apply this one');
      },
      {
        maxAttempts: 1,
        batchHandler: async (envelopes, tx) => {
          // Writes first, then fails: the rollback must take these rows with it.
          for (const envelope of envelopes) await record(envelope, tx);
          if (envelopes.some((envelope) => envelope.subject === 'poison'))
            throw new Error('one of them is bad');
        },
      },
    );
    await publisher.publish(createEvent({ type, version: 1, subject: held.subject, data: {} }));
    await held.reached;
    const batch = ['first', 'poison', 'last'].map((subject) =>
      createEvent({ type, version: 1, subject, data: {} }),
    );
    for (const envelope of batch) await publisher.publish(envelope);
    await held.openWhenDelivered(queue);
    const [first, poison, last] = batch;

    const dead = await nextMessage(`${queue}.dlq`);
    expect(dead.properties.messageId).toBe(poison!.id);
    await eventually(
      async () =>
        (await processedCount(first!.id)) === 1 && (await processedCount(last!.id)) === 1 ? true : undefined,
      { what: 'the others applied alone' },
    );
    await settle();
    expect(await appliedCount(first!.id)).toBe(1);
    expect(await appliedCount(last!.id)).toBe(1);
    expect(await appliedCount(poison!.id)).toBe(0);
    expect(await processedCount(poison!.id)).toBe(0);
    expect(await messageCount(`${queue}.retry`)).toBe(0);
  });

  for (const subjects of [['swallows'], ['first', 'swallows'], ['first', 'swallows', 'last']]) {
    it(`when a handler swallows a database error (${subjects.join(', ')}), then its message is dead-lettered and no other is lost or blamed`, async () => {
      const held = gate();
      const { queue, type } = await consume(
        async (envelope, tx) => {
          if (await held.pass(envelope)) return;
          await record(envelope, tx);
          // A handler bug: the transaction is now aborted, and its COMMIT would silently roll back.
          if (envelope.subject === 'swallows')
            await entityManagerOf(tx)
              .query('SELECT 1 / 0')
              .catch(() => undefined);
        },
        // One attempt: a message blamed for the aborted transaction would go straight to the DLQ.
        { maxAttempts: 1 },
      );
      await publisher.publish(createEvent({ type, version: 1, subject: held.subject, data: {} }));
      await held.reached;
      const batch = subjects.map((subject) => createEvent({ type, version: 1, subject, data: {} }));
      for (const envelope of batch) await publisher.publish(envelope);
      await held.openWhenDelivered(queue);
      const others = batch.filter((envelope) => envelope.subject !== 'swallows');

      await eventually(
        async () => {
          const counts = await Promise.all(others.map((envelope) => processedCount(envelope.id)));
          return counts.every((count) => count === 1) ? true : undefined;
        },
        { what: 'the other messages applied' },
      );
      // Its COMMIT would have rolled back silently: acked as applied, it would have been lost.
      const swallowed = batch.find((envelope) => envelope.subject === 'swallows')!;
      const dead = await nextMessage(`${queue}.dlq`);
      expect(dead.properties.messageId).toBe(swallowed.id);
      await settle();
      for (const envelope of others) expect(await appliedCount(envelope.id)).toBe(1);
      expect(await processedCount(swallowed.id)).toBe(0);
      // Nobody else's attempt was used up for it.
      expect(await messageCount(`${queue}.retry`)).toBe(0);
      expect(await messageCount(`${queue}.dlq`)).toBe(0);
    });
  }

  it('when a message is not a valid envelope, then it goes to the DLQ without retries', async () => {
    let calls = 0;
    const { queue, type } = await consume(async () => {
      calls += 1;
    });

    channel.publish(EVENTS_EXCHANGE, type, Buffer.from('{"not": "an envelope"'), { messageId: 'broken-1' });
    channel.publish(EVENTS_EXCHANGE, type, Buffer.from(JSON.stringify({ id: 'not-a-uuid', type })), {
      messageId: 'broken-2',
    });

    const first = await nextMessage(`${queue}.dlq`);
    const second = await nextMessage(`${queue}.dlq`);
    expect(first.properties.messageId).toBe('broken-1');
    expect(first.properties.headers?.['x-failure-reason']).toBe(
      "invalid event envelope: not JSON (Expected ',' or '}' after property value in JSON at position 21)",
    );
    expect(first.properties.headers?.['x-attempts']).toBe(1);
    expect(second.properties.messageId).toBe('broken-2');
    expect(second.properties.headers?.['x-failure-reason']).toBe(
      'invalid event envelope: id: Invalid UUID; version: Invalid input: expected number, received undefined; ' +
        'occurredAt: Invalid input: expected string, received undefined; ' +
        'subject: Invalid input: expected string, received undefined; ' +
        'data: Invalid input: expected nonoptional, received undefined',
    );
    expect(second.properties.headers?.['x-attempts']).toBe(1);
    expect(second.content.toString('utf8')).toBe(JSON.stringify({ id: 'not-a-uuid', type }));
    await settle(500);
    expect(calls).toBe(0);
    expect(await messageCount(`${queue}.retry`)).toBe(0);
    expect(await messageCount(queue)).toBe(0);
  });

  it('when the broker restarts, then the consumer is re-created and applies new messages', async () => {
    const { type } = await consume(record);
    await stopBroker();
    try {
      await eventually(async () => (amqp.isConnected() ? undefined : true), { what: 'noticing the outage' });
    } finally {
      await startBroker();
    }
    await eventually(async () => (amqp.isConnected() ? true : undefined), {
      timeoutMs: 30_000,
      what: 'reconnecting',
    });
    admin = await connect(url);
    admin.on('error', () => undefined);
    channel = await admin.createChannel();
    const envelope = createEvent({ type, version: 1, subject: 'user-4', data: { userId: 'user-4' } });

    await publisher.publish(envelope);

    await eventually(async () => ((await appliedCount(envelope.id)) === 1 ? true : undefined), {
      what: 'applying',
    });
    expect(await processedCount(envelope.id)).toBe(1);
  }, 90_000);
});
