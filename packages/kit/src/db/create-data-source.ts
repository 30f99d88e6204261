import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Logger as PinoLogger } from 'pino';
import { TypeOrmLogger } from './typeorm-logger.js';

type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface DataSourceConfig {
  /** postgres://user:password@host:port/database, from the service's configuration. */
  url: string;
  entities: NonNullable<DataSourceOptions['entities']>;
  /** Migration classes in any order; TypeORM sorts them by the timestamp ending their names. */
  migrations: NonNullable<DataSourceOptions['migrations']>;
  logger?: Logger;
  /** Shown in pg_stat_activity, so a DBA can tell which service holds a connection. */
  applicationName?: string;
  /** Connections in the pool; at least 2, because runMigrations holds one for its lock. */
  poolSize?: number;
  /** Queries slower than this are logged as warnings. */
  slowQueryMs?: number;
}

/**
 * A PostgreSQL DataSource, not yet initialized. The schema is only ever changed by migrations,
 * and only when the service runs them explicitly: never synchronized from entities, never run
 * implicitly on initialize.
 */
export function createDataSource(config: DataSourceConfig): DataSource {
  const poolSize = config.poolSize ?? 10;
  if (poolSize < 2)
    throw new Error('poolSize must be at least 2 (migrations hold one connection for a lock)');
  return new DataSource({
    type: 'postgres',
    url: config.url,
    entities: config.entities,
    migrations: config.migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    poolSize,
    connectTimeoutMS: 10_000,
    maxQueryExecutionTime: config.slowQueryMs ?? 1000,
    ...(config.applicationName ? { applicationName: config.applicationName } : {}),
    // A logger instance receives everything; TypeORM's `logging` filter only applies to its own loggers.
    ...(config.logger ? { logger: new TypeOrmLogger(config.logger) } : { logging: false }),
  });
}
