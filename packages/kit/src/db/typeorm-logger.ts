import type { Logger as TypeOrmLoggerContract } from 'typeorm';
import type { Logger as PinoLogger } from 'pino';

type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * Sends TypeORM's own messages to the service logger. Query parameters are never logged: they
 * carry user data. Failed queries go to debug because the caller gets the error and decides
 * whether it is one (a unique violation is often an expected answer).
 */
export class TypeOrmLogger implements TypeOrmLoggerContract {
  constructor(readonly logger: Logger) {}

  logQuery(query: string): void {
    this.logger.debug({ query }, 'query');
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug({ err: error, query }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ durationMs: time, query }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.info(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.info(String(message));
  }
}
