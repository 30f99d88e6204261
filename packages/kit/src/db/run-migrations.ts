import type { DataSource } from 'typeorm';
import type { Logger as PinoLogger } from 'pino';
import { TypeOrmLogger } from './typeorm-logger.js';

type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

// Any fixed key works; it only has to be the same for every replica of every service.
const migrationLockKey = 'platform:migrations';

/**
 * Runs pending migrations, each in its own transaction, and returns the names of those that ran.
 * Replicas starting together take turns on a PostgreSQL advisory lock, so one runs them and the
 * others find nothing pending instead of failing halfway through the same migration. What ran
 * is logged to `logger`, or else to the data source's logger.
 */
export async function runMigrations(dataSource: DataSource, logger?: Logger): Promise<string[]> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [migrationLockKey]);
    try {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      const names = ran.map((migration) => migration.name);
      report(names, logger ?? loggerOf(dataSource));
      return names;
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [migrationLockKey]);
    }
  } finally {
    await lock.release();
  }
}

function report(names: string[], logger: Logger | undefined): void {
  if (!logger) return;
  if (names.length > 0) logger.info({ migrations: names }, 'ran database migrations');
  else logger.info('database schema is up to date; no migrations to run');
}

function loggerOf(dataSource: DataSource): Logger | undefined {
  return dataSource.logger instanceof TypeOrmLogger ? dataSource.logger.logger : undefined;
}
