/**
 * The kit's pipeline and dependency metrics, against the stack's real PostgreSQL, RabbitMQ and
 * Keycloak: outbox backlog and publishes, consumer outcomes and queue depths, Keycloak Admin API
 * calls, circuit breaker state.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpUrl, loadEnvironment, loadSecrets, secret } from '@platform/platform/environment';
import { eventually } from '@platform/test-support/eventually';
import { ClientCredentialsTokens } from '../src/keycloak/client-credentials-tokens.js';
import { createKeycloakAdmin } from '../src/keycloak/keycloak-admin.js';
import type { AmqpConnection } from '../src/messaging/amqp-connection.js';
import { createEvent } from '../src/messaging/create-event.js';
import { enqueueEvent } from '../src/messaging/enqueue-event.js';
import { startConsumer, type ConsumerHandle } from '../src/messaging/event-consumer.js';
import type { EventPublisher } from '../src/messaging/event-publisher.js';
import { readOutboxBacklog } from '../src/messaging/outbox-backlog.js';
import { OutboxRelay } from '../src/messaging/outbox-relay.js';
import { createMetrics, type Metrics } from '../src/metrics/create-metrics.js';
import { openKitDatabase, startPublisher, type KitDatabase } from './messaging-fixtures.js';

const env = loadEnvironment();
const secrets = loadSecrets();
const logger = pino({ level: 'silent' });
const run = randomBytes(6).toString('hex');

/** The value of one series, or undefined when the registry has no such series. */
async function seriesValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const match = values.find((value) =>
    Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return match?.value;
}

describe('outbox metrics', () => {
  let database: KitDatabase;
  let amqp: AmqpConnection;
  let publisher: EventPublisher;
  let metrics: Metrics;
  // No consumer binds it; the events exchange parks it in its alternate exchange's queue.
  const type = `kit-test.${run}.metered`;

  beforeAll(async () => {
    database = await openKitDatabase(logger);
    ({ amqp, publisher } = await startPublisher(amqpUrl(env, secrets), logger, 'kit-metrics-test'));
    metrics = createMetrics({ service: 'kit-test' });
    metrics.outbox.observeBacklog(() => readOutboxBacklog(database.dataSource));
  });

  afterAll(async () => {
    await amqp.close();
    await database.close();
  });

  async function enqueue(count: number): Promise<void> {
    await database.dataSource.transaction(async (manager) => {
      for (let index = 0; index < count; index += 1)
        await enqueueEvent(manager, createEvent({ type, version: 1, subject: `s-${index}`, data: {} }));
    });
  }

  it('when no publish has failed yet, then every failure reason is reported at zero', async () => {
    for (const reason of ['not-connected', 'channel-closed', 'nacked', 'unroutable', 'timeout', 'error'])
      expect(await seriesValue(metrics.registry, 'app_outbox_publish_failures_total', { reason })).toBe(0);
  });

  it('when events wait in the outbox, then the scrape reports how many and how old the oldest is', async () => {
    await enqueue(3);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(await seriesValue(metrics.registry, 'app_outbox_pending_events')).toBe(3);
    expect(await seriesValue(metrics.registry, 'app_outbox_oldest_pending_age_seconds')).toBeGreaterThan(1);
  });

  it('when the relay publishes them, then they are counted by type and the backlog is empty', async () => {
    const relay = new OutboxRelay({
      dataSource: database.dataSource,
      publisher,
      logger,
      pollIntervalMs: 50,
      metrics: metrics.outbox,
    });
    relay.start();
    try {
      await eventually(
        async () =>
          (await seriesValue(metrics.registry, 'app_outbox_events_published_total', { type })) === 3
            ? true
            : undefined,
        { what: 'three counted publishes' },
      );
    } finally {
      await relay.stop();
    }
    // The backlog is read at most once a second, as a scrape would.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await seriesValue(metrics.registry, 'app_outbox_pending_events')).toBe(0);
    expect(await seriesValue(metrics.registry, 'app_outbox_oldest_pending_age_seconds')).toBe(0);
  });
});

describe('consumer metrics', () => {
  let database: KitDatabase;
  let amqp: AmqpConnection;
  let publisher: EventPublisher;
  let metrics: Metrics;
  let consumer: ConsumerHandle;
  const queue = `kit-test.${run}.metered-consumer`;
  const type = `kit-test.${run}.metered-consumed`;
  const consumerName = `kit-test-${run}-metered`;
  const failing = new Set<string>();
  const failedOnce = new Set<string>();

  const count = (outcome: string) =>
    seriesValue(metrics.registry, 'app_consumer_messages_total', { consumer: consumerName, outcome });

  beforeAll(async () => {
    database = await openKitDatabase(logger);
    ({ amqp, publisher } = await startPublisher(amqpUrl(env, secrets), logger, 'kit-consumer-metrics-test'));
    metrics = createMetrics({ service: 'kit-test' });
    consumer = await startConsumer({
      amqp,
      dataSource: database.dataSource,
      consumerName,
      queue,
      routingKeys: [type],
      maxAttempts: 2,
      backoffMs: () => 50,
      logger,
      metrics: metrics.consumers,
      handler: async (envelope) => {
        if (failing.has(envelope.subject)) throw new Error('never works');
        if (!failedOnce.has(envelope.subject)) {
          failedOnce.add(envelope.subject);
          throw new Error('works the second time');
        }
      },
    });
  });

  afterAll(async () => {
    await consumer.stop();
    const { connect } = await import('amqplib');
    const cleanup = await connect(amqpUrl(env, secrets));
    const channel = await cleanup.createChannel();
    for (const name of [queue, `${queue}.retry`, `${queue}.dlq`]) await channel.deleteQueue(name);
    await cleanup.close();
    await amqp.close();
    await database.close();
  });

  it('when the consumer starts, then each outcome is reported at zero before any message', async () => {
    for (const outcome of ['processed', 'duplicate', 'retried', 'dead_lettered'])
      expect(await count(outcome)).toBe(0);
  });

  it('when a message fails once and is then applied, and is delivered again, then it counts retried, processed and duplicate', async () => {
    const envelope = createEvent({ type, version: 1, subject: 'flaky', data: {} });
    await publisher.publish(envelope);
    await eventually(async () => ((await count('processed')) === 1 ? true : undefined), {
      what: 'processed',
    });
    await publisher.publish(envelope);
    await eventually(async () => ((await count('duplicate')) === 1 ? true : undefined), {
      what: 'duplicate',
    });

    expect(await count('retried')).toBe(1);
    const timed = await seriesValue(metrics.registry, 'app_consumer_processing_duration_seconds', {
      consumer: consumerName,
    });
    expect(timed).toBeDefined();
  });

  it('when a message never works, then it counts dead_lettered and the dead-letter queue depth shows it', async () => {
    failing.add('broken');
    await publisher.publish(createEvent({ type, version: 1, subject: 'broken', data: {} }));
    await eventually(async () => ((await count('dead_lettered')) === 1 ? true : undefined), {
      what: 'dead-lettered',
    });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(
      await seriesValue(metrics.registry, 'app_consumer_queue_messages', { queue, kind: 'dead_letter' }),
    ).toBe(1);
    expect(await seriesValue(metrics.registry, 'app_consumer_queue_messages', { queue, kind: 'main' })).toBe(
      0,
    );
  });
});

describe('Keycloak Admin API metrics', () => {
  const tokensFor = (tokenUrl: string) =>
    new ClientCredentialsTokens({
      tokenUrl,
      clientId: 'auth-service',
      clientSecret: secret(secrets, 'AUTH_SERVICE_CLIENT_SECRET'),
      timeoutMs: 2_000,
    });
  const tokenUrl = `${env.keycloak.internalUrl}/realms/${env.realm}/protocol/openid-connect/token`;

  /** How many calls the histogram counted for one operation and outcome. */
  async function calls(metrics: Metrics, operation: string, outcome: string): Promise<number | undefined> {
    const metric = metrics.registry.getSingleMetric('app_keycloak_admin_request_duration_seconds');
    // A histogram's values carry the series name (_bucket, _sum, _count) next to the labels.
    const { values } = ((await metric?.get()) ?? { values: [] }) as {
      values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
    };
    return values.find(
      (value) =>
        value.metricName === 'app_keycloak_admin_request_duration_seconds_count' &&
        value.labels.operation === operation &&
        value.labels.outcome === outcome,
    )?.value;
  }

  it('when calls succeed or Keycloak refuses one, then each is timed by operation and outcome', async () => {
    const metrics = createMetrics({ service: 'kit-test' });
    const admin = createKeycloakAdmin({
      url: env.keycloak.internalUrl,
      realm: env.realm,
      tokens: tokensFor(tokenUrl),
      metrics,
    });

    await admin.users.find({ max: 1 });
    await admin.users.find({ max: 1 });
    await expect(admin.users.update({ id: 'no-such-user' }, { firstName: 'x' })).rejects.toThrow();

    expect(await calls(metrics, 'users.find', 'success')).toBe(2);
    expect(await calls(metrics, 'users.update', 'client_error')).toBe(1);
  });

  it('when Keycloak cannot be reached, then the call counts as unavailable', async () => {
    const metrics = createMetrics({ service: 'kit-test' });
    const closed = 'http://127.0.0.1:9';
    const admin = createKeycloakAdmin({
      url: closed,
      realm: env.realm,
      tokens: tokensFor(`${closed}/token`),
      metrics,
    });

    await expect(admin.users.find({ max: 1 })).rejects.toThrow();

    expect(await calls(metrics, 'users.find', 'unavailable')).toBe(1);
  });
});

describe('circuit breaker metrics', () => {
  it('when a circuit is created, then it reports closed', async () => {
    const metrics = createMetrics({ service: 'kit-test' });
    metrics.circuitBreaker('user-service');

    expect(
      await seriesValue(metrics.registry, 'app_circuit_breaker_state', {
        circuit: 'user-service',
        state: 'closed',
      }),
    ).toBe(1);
    expect(
      await seriesValue(metrics.registry, 'app_circuit_breaker_state', {
        circuit: 'user-service',
        state: 'open',
      }),
    ).toBe(0);
  });

  it('when cockatiel reports HalfOpen, then half_open is the one current state', async () => {
    const metrics = createMetrics({ service: 'kit-test' });
    metrics.circuitBreaker('user-service').record('HalfOpen');

    const states = await Promise.all(
      ['closed', 'half_open', 'open', 'isolated'].map((state) =>
        seriesValue(metrics.registry, 'app_circuit_breaker_state', { circuit: 'user-service', state }),
      ),
    );
    expect(states).toEqual([0, 1, 0, 0]);
  });

  it('when a state name is unknown, then recording it throws', () => {
    const metrics = createMetrics({ service: 'kit-test' });
    expect(() => metrics.circuitBreaker('user-service').record('Ajar')).toThrow(
      'unknown circuit state "Ajar"',
    );
  });
});
