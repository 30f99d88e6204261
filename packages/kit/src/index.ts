// What services, test helpers and tools outside the kit use; everything else stays inside it.

export { ConfigError } from './config/config-error.js';
export { envInteger, envUrl } from './config/env-values.js';
export { loadConfig } from './config/load-config.js';
export { serviceConfigSchema, type ServiceConfig } from './config/service-config.js';
export { keycloakAdminConfigSchema, serviceClientConfigSchema } from './config/keycloak-config.js';

export {
  badRequest,
  conflict,
  forbidden,
  notFound,
  preconditionFailed,
  unprocessableContent,
} from './errors/problems.js';
export { DependencyRefused, DependencyUnavailable } from './errors/dependency-errors.js';

export { createLogger, type Logger } from './logging/logger.js';

export { createApp } from './http/create-app.js';
export { requestIdOf } from './http/request-id.js';
export { parseBody, parseHeaders, parseParams, parseQuery } from './http/validate.js';
export { RouteTable, type RouteDeclaration } from './http/route-table.js';

export { createAuth, type Auth } from './auth/create-auth.js';
export { principalOf, type Principal } from './auth/principal.js';
export { RevocationList, type RevocationCheck } from './auth/revocation-list.js';

export { createMetrics } from './metrics/create-metrics.js';

export { createDataSource } from './db/create-data-source.js';
export { preparedQuery } from './db/prepared-query.js';
export { runMigrations } from './db/run-migrations.js';
export { sqlMigration, type MigrationClass } from './db/sql-migration.js';
export { entityManagerOf, type Transaction, type UnitOfWork } from './db/unit-of-work.js';

export { createEvent } from './messaging/create-event.js';
export type { BatchEventHandler, EventHandler } from './messaging/event-consumer.js';
export { kitEntities, kitMigrations } from './messaging/kit-migrations.js';
export { days, retentionRule, type RetentionRule } from './messaging/retention-rule.js';
export type { TablePruned } from './messaging/retention-pruner.js';
export { backoffDelay, pause } from './messaging/backoff.js';

export {
  decodeCursor,
  pageQuerySchema,
  toPage,
  type CursorPosition,
  type Page,
} from './pagination/cursor-page.js';
export { paginateNewestFirst } from './pagination/keyset.js';
export { pageSchema } from './pagination/page-schema.js';

export {
  defineService,
  type ServiceConsumer,
  type ServiceContext,
  type ServiceDefinition,
  type ServiceWorker,
} from './service/service-definition.js';
export { startService, type RunningService } from './service/start-service.js';
export { serviceMain } from './service/service-main.js';
export { listRoutes } from './service/list-routes.js';

export { ClientCredentialsTokens } from './keycloak/client-credentials-tokens.js';
export {
  createKeycloakAdmin,
  keycloakAdminFromConfig,
  type KeycloakAdmin,
} from './keycloak/keycloak-admin.js';
export { keycloakRetryAfterSeconds } from './keycloak/keycloak-unavailable.js';
export { KeycloakRefused } from './keycloak/keycloak-failure.js';
export { emailAddress, personName } from './keycloak/user-profile-fields.js';

export { ServiceHttpClient } from './service-client/service-http-client.js';

export type { ApiOperation, ApiResponse } from './openapi/api-operation.js';
export {
  databaseUnavailable,
  problem,
  unavailable,
  type OpenApiDocument,
} from './openapi/build-openapi-document.js';
export { openApiPathOf } from './openapi/openapi-path.js';

export { CacheInvalidations, type InvalidationHandlers } from './redis/cache-invalidations.js';
export { RedisBroadcast } from './redis/redis-broadcast.js';
export { BackgroundLoop } from './service/background-loop.js';
export { closeRedisClient, createRedisClient } from './redis/redis-client.js';
