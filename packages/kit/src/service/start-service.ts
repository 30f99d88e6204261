import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { createAuth } from '../auth/create-auth.js';
import { RevocationList } from '../auth/revocation-list.js';
import { revocationListReadinessCheck } from '../auth/revocation-list-readiness.js';
import type { ServiceConfig } from '../config/service-config.js';
import { createDataSource } from '../db/create-data-source.js';
import { databaseReadinessCheck } from '../db/database-readiness-check.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { jwksReadinessCheck } from '../health/jwks-readiness-check.js';
import { startManagementServer } from '../health/management-server.js';
import { createApp } from '../http/create-app.js';
import type { RouteDeclaration } from '../http/route-table.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { AmqpConnection } from '../messaging/amqp-connection.js';
import { brokerReadinessCheck } from '../messaging/broker-readiness.js';
import { startConsumer } from '../messaging/event-consumer.js';
import { EventPublisher } from '../messaging/event-publisher.js';
import { kitEntities, kitMigrations } from '../messaging/kit-migrations.js';
import { readOutboxBacklog } from '../messaging/outbox-backlog.js';
import { OutboxRelay } from '../messaging/outbox-relay.js';
import { readRetainedTableRows } from '../messaging/retained-table-rows.js';
import { RetentionPruner } from '../messaging/retention-pruner.js';
import { kitRetentionRules } from '../messaging/retention-rule.js';
import { createMetrics } from '../metrics/create-metrics.js';
import { RedisBroadcast } from '../redis/redis-broadcast.js';
import { closeRedisClient, createRedisClient } from '../redis/redis-client.js';
import type { ConnectionPoolStats } from '../metrics/database-pool-metrics.js';
import { createShutdown, type Shutdown } from '../shutdown/create-shutdown.js';
import { trackHttpDrain } from '../shutdown/http-drain.js';
import { shutdownTelemetry } from '../telemetry/telemetry-shutdown.js';
import {
  closerOf,
  type ComponentsContext,
  type ConfigOf,
  type ServiceContext,
  type ServiceDefinition,
} from './service-definition.js';
import { serviceRouteTables } from './service-route-tables.js';

export interface RunningService {
  /** Base URL of the public HTTP port. */
  readonly url: string;
  /** Base URL of the management port (/healthz, /readyz, /metrics). */
  readonly managementUrl: string;
  /** Every route the service serves, with who may call it. */
  readonly routes: readonly RouteDeclaration[];
  readonly shutdown: Shutdown;
  /** The retention pruner, to run once on demand (it also runs every RETENTION_INTERVAL_MINUTES). */
  readonly retention: Pick<RetentionPruner, 'pruneOnce'>;
}

export interface StartOptions {
  /** Called when shutdown ends; `process.exit` for a real process, a no-op for tests. */
  readonly exit?: (code: number) => void;
  /**
   * Off for a second in-process instance in tests (e.g. one pointed at an unreachable Keycloak),
   * so it does not take messages from the queues of the instance the stack runs.
   */
  readonly consumers?: boolean;
}

export const serviceNameOf = (definition: { name: string }) => `${definition.name}-service`;

/** The same entities and migrations for `run` and `migrate`: the service's own plus the kit's tables. */
export function dataSourceFor<S extends z.ZodObject>(
  definition: ServiceDefinition<S>,
  config: ServiceConfig,
  logger?: Logger,
) {
  return createDataSource({
    url: config.DATABASE_URL,
    entities: [...kitEntities, ...(definition.entities as [])],
    migrations: [...kitMigrations, ...(definition.migrations as [])],
    applicationName: serviceNameOf(definition),
    logger,
  });
}

/**
 * Starts a service in order: database, broker, outbox relay, the service's components, consumers,
 * workers, then the HTTP ports. Shutdown runs the other way round: stop taking requests, finish
 * what is in flight, then consumers, workers, components, relay, broker and database.
 */
export async function startService<S extends z.ZodObject, K>(
  definition: ServiceDefinition<S, K>,
  config: ConfigOf<S>,
  options: StartOptions = {},
): Promise<RunningService> {
  const name = serviceNameOf(definition);
  // First: a window configured wrong stops the start before any connection opens.
  const retentionRules = [...kitRetentionRules(config), ...(definition.retention ?? [])];
  const logger = createLogger({ name, level: config.LOG_LEVEL });
  const shutdown = createShutdown({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, logger, exit: options.exit });
  const metrics = createMetrics({ service: name });

  const dataSource = dataSourceFor(definition, config, logger);
  await dataSource.initialize();
  metrics.databasePool.observePool(connectionPoolOf(dataSource));
  metrics.outbox.observeBacklog(() => readOutboxBacklog(dataSource));

  const amqp = new AmqpConnection({ url: config.AMQP_URL, logger, connectionName: name });
  // Not awaited: a broker outage at start-up must not keep the service down. It reconnects in the
  // background, readiness reports it, and the outbox holds events until it is back.
  amqp.connect().catch((error: unknown) => logger.error({ err: error }, 'broker connection abandoned'));
  const publisher = new EventPublisher({ amqp, logger, appId: name });
  await publisher.start();
  const relay = new OutboxRelay({ dataSource, publisher, logger, metrics: metrics.outbox });

  const pruner = new RetentionPruner({
    dataSource,
    rules: retentionRules,
    logger,
    batchSize: config.RETENTION_BATCH_SIZE,
    intervalMs: config.RETENTION_INTERVAL_MINUTES * 60_000,
    metrics: metrics.retention,
  });
  const retainedTables = retentionRules.map((rule) => rule.table);
  metrics.retention.observeTables(retainedTables, () => readRetainedTableRows(dataSource, retainedTables));
  // Like the consumers, off in a second instance of a test, which runs pruneOnce itself.
  if (options.consumers !== false) pruner.start();

  const redis = createRedisClient({ url: config.REDIS_URL, connectionName: name, logger });
  const broadcast = new RedisBroadcast({
    url: config.REDIS_URL,
    publisher: redis,
    connectionName: name,
    logger,
  });
  const revocations = new RevocationList({
    redis,
    broadcast,
    ttlSeconds: config.REVOCATION_TTL_SECONDS,
    logger,
    registry: metrics.registry,
  });
  const auth = createAuth({
    issuer: config.OIDC_ISSUER_URL,
    jwksUri: config.OIDC_JWKS_URL,
    audience: config.OIDC_AUDIENCE,
    revocations,
  });
  const unitOfWork = createUnitOfWork(dataSource);
  const kitContext: ServiceContext<ConfigOf<S>> = {
    config,
    logger,
    dataSource,
    unitOfWork,
    auth,
    amqp,
    metrics,
    redis,
    broadcast,
    revocations,
  };
  const components = definition.components?.(kitContext) as K;
  const context: ComponentsContext<ConfigOf<S>, K> = { ...kitContext, components };
  // After the components, so every listener they registered is subscribed from the first connect.
  broadcast.start();
  const consumers = await Promise.all(
    (options.consumers === false ? [] : (definition.consumers?.(context) ?? [])).map((consumer) =>
      startConsumer({ ...consumer, amqp, dataSource, logger, metrics: metrics.consumers }),
    ),
  );

  // Publishing starts once this service's own queues are declared: on a fresh broker an event it
  // consumes itself (the auth service's revocations) would otherwise go unrouted.
  relay.start();

  const workers = options.consumers === false ? [] : (definition.workers?.(context) ?? []);
  workers.forEach((worker) => worker.start());

  const tables = serviceRouteTables(definition, context);
  const app = createApp({
    name,
    logger,
    bodyLimit: config.BODY_LIMIT,
    metrics,
    configure: (expressApp) => tables.forEach((table) => table.mountOn(expressApp)),
  });
  const server = app.listen(config.PORT, config.HOST);
  const drain = trackHttpDrain(server);
  await once(server, 'listening');

  const management = await startManagementServer({
    host: config.HOST,
    port: config.MANAGEMENT_PORT,
    registry: metrics.registry,
    logger,
    isShuttingDown: () => shutdown.isShuttingDown,
    readiness: [
      databaseReadinessCheck(dataSource),
      brokerReadinessCheck(amqp),
      jwksReadinessCheck(config.OIDC_JWKS_URL),
      revocationListReadinessCheck(revocations),
      ...(definition.readiness?.(context) ?? []),
    ],
  });

  // Half the budget for answering what is in flight; whatever still hangs then is cut, so the
  // consumers, relay, broker and database still close cleanly within SHUTDOWN_TIMEOUT_MS.
  shutdown.onShutdown('http server', () =>
    drain.close({ forceAfterMs: Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2) }),
  );
  shutdown.onShutdown('consumers', async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  });
  for (const worker of workers) shutdown.onShutdown(worker.name, () => worker.stop());
  const closeComponents = closerOf(components);
  if (closeComponents) shutdown.onShutdown(`${name} components`, closeComponents);
  shutdown.onShutdown('redis', async () => {
    await broadcast.stop();
    await closeRedisClient(redis);
  });
  shutdown.onShutdown('retention pruner', () => pruner.stop());
  shutdown.onShutdown('outbox relay', () => relay.stop());
  shutdown.onShutdown('broker', () => amqp.close());
  shutdown.onShutdown('database', () => dataSource.destroy());
  shutdown.onShutdown('management server', () => management.close());
  shutdown.onShutdown('telemetry', shutdownTelemetry);

  const url = baseUrl(server, config.HOST);
  logger.info({ url, managementPort: management.port }, `${name} started`);
  return {
    url,
    managementUrl: `http://${hostForUrl(config.HOST)}:${management.port}`,
    routes: tables.flatMap((table) => table.routes()),
    retention: pruner,
    shutdown,
  };
}

/** TypeORM's PostgreSQL driver keeps its node-postgres Pool as `master` once initialized. */
function connectionPoolOf(dataSource: DataSource): ConnectionPoolStats {
  return (dataSource.driver as unknown as { master: ConnectionPoolStats }).master;
}

function baseUrl(server: Server, host: string): string {
  return `http://${hostForUrl(host)}:${(server.address() as AddressInfo).port}`;
}

function hostForUrl(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}
