import type { z } from 'zod';
import { loadConfigOrExit } from '../config/load-config.js';
import { runMigrations } from '../db/run-migrations.js';
import { createLogger } from '../logging/logger.js';
import type { ConfigOf, ServiceDefinition } from './service-definition.js';
import { dataSourceFor, serviceNameOf, startService } from './start-service.js';

/**
 * The entry point of every service binary: `migrate` applies pending migrations and exits;
 * `run` (the default) starts the service and stops it gracefully on SIGTERM or SIGINT.
 */
export async function serviceMain<S extends z.ZodObject>(
  definition: ServiceDefinition<S>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const command = argv[0] ?? 'run';
  if (command !== 'run' && command !== 'migrate') {
    console.error(`usage: ${serviceNameOf(definition)} [run | migrate] (got "${command}")`);
    process.exit(2);
  }
  const config = loadConfigOrExit(definition.configSchema, process.env) as ConfigOf<S>;
  const logger = createLogger({ name: serviceNameOf(definition), level: config.LOG_LEVEL });
  try {
    if (command === 'migrate') {
      const dataSource = dataSourceFor(definition, config, logger);
      await dataSource.initialize();
      try {
        await runMigrations(dataSource, logger);
      } finally {
        await dataSource.destroy();
      }
      return;
    }
    const service = await startService(definition, config);
    service.shutdown.installSignalHandlers();
  } catch (error) {
    logger.fatal({ err: error }, `${command} failed`);
    console.error(`${serviceNameOf(definition)} ${command} failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
