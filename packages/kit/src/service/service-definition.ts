import type { DataSource, MixedList } from 'typeorm';
import type { z } from 'zod';
import type { Auth } from '../auth/create-auth.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { RouteTable } from '../http/route-table.js';
import type { Logger } from '../logging/logger.js';
import type { AmqpConnection } from '../messaging/amqp-connection.js';
import type { ConsumerOptions } from '../messaging/event-consumer.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { ReadinessCheck } from '../readiness-check.js';

/** What a service's routes, consumers and checks are built from. */
export interface ServiceContext<C extends ServiceConfig> {
  readonly config: C;
  readonly logger: Logger;
  readonly dataSource: DataSource;
  readonly auth: Auth;
  readonly amqp: AmqpConnection;
  readonly metrics: Metrics;
}

/** The infrastructure every consumer gets from the runner; a service supplies only the rest. */
export type ServiceConsumer = Omit<ConsumerOptions, 'amqp' | 'dataSource' | 'logger'>;

/**
 * A service is its domain: config, entities and migrations, routes, consumers. Everything
 * around it (HTTP app, management port, auth, database, broker, outbox relay, shutdown) is the kit's.
 */
/** A service's config: the kit's variables (its schema extends serviceConfigSchema) plus its own. */
export type ConfigOf<S extends z.ZodObject> = z.output<S> & ServiceConfig;

export interface ServiceDefinition<S extends z.ZodObject> {
  /** Short name: `user` becomes `user-service` in logs, metrics and the broker. */
  readonly name: string;
  readonly configSchema: S;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
  readonly entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
  readonly migrations: MixedList<Function>;
  readonly routes: (context: ServiceContext<ConfigOf<S>>) => readonly RouteTable[];
  readonly consumers?: (context: ServiceContext<ConfigOf<S>>) => readonly ServiceConsumer[];
  readonly readiness?: (context: ServiceContext<ConfigOf<S>>) => readonly ReadinessCheck[];
  /**
   * Releases what the service's own code opened (a cache client, say). Runs on shutdown after
   * the HTTP server and the consumers have stopped, before the broker and the database close.
   */
  readonly stop?: (context: ServiceContext<ConfigOf<S>>) => Promise<void>;
}

export function defineService<S extends z.ZodObject>(definition: ServiceDefinition<S>): ServiceDefinition<S> {
  return definition;
}
