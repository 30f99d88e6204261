/** The stack's real PostgreSQL and RabbitMQ, set up alike for the messaging tests. */
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createThrowawayDatabase } from '@platform/test-support/postgres';
import { createDataSource } from '../src/db/create-data-source.js';
import { runMigrations } from '../src/db/run-migrations.js';
import { AmqpConnection } from '../src/messaging/amqp-connection.js';
import { EventPublisher } from '../src/messaging/event-publisher.js';
import { kitEntities, kitMigrations } from '../src/messaging/kit-migrations.js';

export interface KitDatabase {
  readonly dataSource: DataSource;
  /** Destroys the data source and drops the database. */
  close(): Promise<void>;
}

/** A throwaway database holding the kit's own tables (outbox, processed messages), migrated. */
export async function openKitDatabase(logger: Logger): Promise<KitDatabase> {
  const database = await createThrowawayDatabase('kit_test');
  const dataSource = await createDataSource({
    url: database.url,
    entities: kitEntities,
    migrations: kitMigrations,
    logger,
  }).initialize();
  await runMigrations(dataSource);
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** A broker connection that retries quickly (tests restart the broker) and a started publisher on it. */
export async function startPublisher(
  url: string,
  logger: Logger,
  connectionName: string,
): Promise<{ amqp: AmqpConnection; publisher: EventPublisher }> {
  const amqp = new AmqpConnection({ url, logger, connectionName, initialDelayMs: 200, maxDelayMs: 1000 });
  await amqp.connect();
  const publisher = new EventPublisher({ amqp, logger });
  await publisher.start();
  return { amqp, publisher };
}
