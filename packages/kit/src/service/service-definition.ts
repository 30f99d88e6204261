import type { DataSource, MixedList } from 'typeorm';
import type { z } from 'zod';
import type { Auth } from '../auth/create-auth.js';
import type { RevocationList } from '../auth/revocation-list.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RouteTable } from '../http/route-table.js';
import type { Logger } from '../logging/logger.js';
import type { AmqpConnection } from '../messaging/amqp-connection.js';
import type { ConsumerOptions } from '../messaging/event-consumer.js';
import type { RetentionRule } from '../messaging/retention-rule.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { ApiOperation } from '../openapi/api-operation.js';
import type { ReadinessCheck } from '../readiness-check.js';
import type { RedisBroadcast } from '../redis/redis-broadcast.js';
import type { Redis } from 'ioredis';

/** What the kit has set up for a running service before the service's own code is built. */
export interface ServiceContext<C extends ServiceConfig> {
  readonly config: C;
  readonly logger: Logger;
  readonly dataSource: DataSource;
  /** Where use cases open a transaction that also carries their outbox events. */
  readonly unitOfWork: UnitOfWork;
  readonly auth: Auth;
  readonly amqp: AmqpConnection;
  readonly metrics: Metrics;
  /** The service's Redis command connection (REDIS_URL), shared by its replicas' caches. */
  readonly redis: Redis;
  /** Pub/sub across every replica (e.g. CacheInvalidations); started by the kit after the components. */
  readonly broadcast: RedisBroadcast;
  /** Subjects whose tokens `auth` refuses; the writer (the auth service) revokes and lifts here. */
  readonly revocations: RevocationList;
}

/** What routes, consumers and readiness checks are built from: the context and the service's components. */
export type ComponentsContext<C extends ServiceConfig, K> = ServiceContext<C> & { readonly components: K };

/** The infrastructure every consumer gets from the runner; a service supplies only the rest. */
export type ServiceConsumer = Omit<ConsumerOptions, 'amqp' | 'dataSource' | 'logger' | 'metrics'>;

/**
 * Work a service runs in the background for as long as it runs (e.g. a poller): started after the
 * consumers, stopped before the components close. `stop` resolves once the work has finished.
 */
export interface ServiceWorker {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

/** A service's config: the kit's variables (its schema extends serviceConfigSchema) plus its own. */
export type ConfigOf<S extends z.ZodObject> = z.output<S> & ServiceConfig;

/**
 * A service is its domain: config, entities and migrations, its components, routes and consumers.
 * Everything around it (HTTP app, management port, auth, database, broker, outbox relay, shutdown)
 * is the kit's.
 *
 * routes, consumers and readiness are methods, not function properties, so that a definition with
 * its own components still fits where any definition is expected (`ServiceDefinition<S>`).
 */
export interface ServiceDefinition<S extends z.ZodObject, K = unknown> {
  /** Short name: `user` becomes `user-service` in logs, metrics and the broker. */
  readonly name: string;
  readonly configSchema: S;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
  readonly entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
  readonly migrations: MixedList<Function>;
  /**
   * Builds what the routes, consumers and checks share (clients, caches, repositories) once per
   * started service. Must open no connection, so routes can be listed without a stack. When the
   * result has a `close()`, it runs on shutdown after the HTTP server and the consumers have
   * stopped, before the broker and the database close.
   */
  readonly components?: (context: ServiceContext<ConfigOf<S>>) => K;
  routes(context: ComponentsContext<ConfigOf<S>, K>): readonly RouteTable[];
  /**
   * The OpenAPI description of the routes. With it the kit serves the document at
   * `/docs/openapi.json` and a rendered reference at `/docs` (both public).
   */
  readonly api?: ServiceApi;
  consumers?(context: ComponentsContext<ConfigOf<S>, K>): readonly ServiceConsumer[];
  readiness?(context: ComponentsContext<ConfigOf<S>, K>): readonly ReadinessCheck[];
  /** Background work; like consumers, not started for an instance started with `consumers: false`. */
  workers?(context: ComponentsContext<ConfigOf<S>, K>): readonly ServiceWorker[];
  /**
   * The service's own tables that only grow (e.g. idempotency records), pruned by the kit's
   * retention pruner next to the outbox and processed messages.
   */
  readonly retention?: readonly RetentionRule[];
}

/**
 * What a service says of its API: the document's title is the service's (`auth` → "Auth service")
 * and who may call each route is read from its RouteTable, so neither is repeated here.
 */
export interface ServiceApi {
  readonly description: string;
  /** `1` unless given. */
  readonly version?: string;
  /** One per route, built from the zod schemas the route validates with. */
  readonly operations: readonly ApiOperation[];
}

export function defineService<S extends z.ZodObject, K = unknown>(
  definition: ServiceDefinition<S, K>,
): ServiceDefinition<S, K> {
  return definition;
}

/** The components' own `close()`, when they have one. */
export function closerOf(components: unknown): (() => Promise<void>) | undefined {
  const close = (components as { close?: unknown } | null | undefined)?.close;
  return typeof close === 'function' ? () => Promise.resolve(close.call(components)) : undefined;
}
