export { ConfigError, type ConfigProblem } from './config/config-error.js';
export { envByteSize, envEnum, envInteger, envUrl, type IntegerRange } from './config/env-values.js';
export { loadConfig, loadConfigOrExit, type ConfigExit, type Environment } from './config/load-config.js';
export {
  logLevels,
  serviceConfigSchema,
  type LogLevel,
  type ServiceConfig,
} from './config/service-config.js';

export { HttpProblem, type FieldError, type HttpProblemInit } from './errors/http-problem.js';
export {
  badGateway,
  badRequest,
  conflict,
  forbidden,
  internalServerError,
  notFound,
  payloadTooLarge,
  preconditionFailed,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unprocessableContent,
  unsupportedMediaType,
} from './errors/problems.js';
export { problemFromZodError, type RequestPart } from './errors/problem-from-zod-error.js';
export { problemFromError } from './errors/problem-from-error.js';
export { notFoundHandler, problemErrorHandler } from './errors/problem-error-handler.js';
export { sendProblem } from './errors/send-problem.js';

export { createLogger, type Logger, type LoggerOptions } from './logging/logger.js';

export { createApp, type AppOptions, type TrustProxy } from './http/create-app.js';
export { requestId, requestIdHeader, requestIdOf } from './http/request-id.js';
export { parseBody, parseParams, parseQuery } from './http/validate.js';
export {
  RouteTable,
  type HttpMethod,
  type RouteAccess,
  type RouteDeclaration,
  type RouteTableOptions,
} from './http/route-table.js';

export { createAuth, type Auth, type AuthOptions } from './auth/create-auth.js';
export { requireRoles, requireScopes } from './auth/guards.js';
export { principalFromClaims, principalOf, realmRolesOf, type Principal } from './auth/principal.js';

export { createMetrics, type Metrics, type MetricsOptions } from './metrics/create-metrics.js';
export type { CircuitBreakerGauge, CircuitState } from './metrics/circuit-breaker-metrics.js';
export type { ConsumerMetrics, ConsumerOutcome, QueueDepths } from './metrics/consumer-metrics.js';
export type { KeycloakAdminMetrics, KeycloakCallOutcome } from './metrics/keycloak-admin-metrics.js';
export type { OutboxBacklog, OutboxMetrics } from './metrics/outbox-metrics.js';
export { readOutboxBacklog } from './messaging/outbox-backlog.js';

export type { ReadinessCheck } from './readiness-check.js';
export { runReadinessChecks, type ReadinessReport } from './health/run-readiness-checks.js';
export {
  startManagementServer,
  type ManagementServer,
  type ManagementServerOptions,
} from './health/management-server.js';
export { jwksReadinessCheck, type JwksReadinessOptions } from './health/jwks-readiness-check.js';

export { closeHttpServer } from './shutdown/close-http-server.js';
export {
  createShutdown,
  type Shutdown,
  type ShutdownOptions,
  type ShutdownStep,
} from './shutdown/create-shutdown.js';

export { shutdownTelemetry } from './telemetry/telemetry-shutdown.js';

export { createDataSource, type DataSourceConfig } from './db/create-data-source.js';
export { runMigrations } from './db/run-migrations.js';
export { databaseReadinessCheck } from './db/database-readiness-check.js';
export { TypeOrmLogger } from './db/typeorm-logger.js';

export {
  AmqpConnection,
  type AmqpConnectionOptions,
  type ConnectedCallback,
  type ConnectedSubscription,
} from './messaging/amqp-connection.js';
export { brokerReadinessCheck } from './messaging/broker-readiness.js';
export {
  assertEventsExchange,
  deadLetterQueueName,
  EVENTS_EXCHANGE,
  retryQueueName,
  UNROUTED_EXCHANGE,
  UNROUTED_QUEUE,
} from './messaging/topology.js';
export { EventPublisher, type EventPublisherOptions } from './messaging/event-publisher.js';
export { PublishError, type PublishFailure } from './messaging/publish-error.js';
export { createEvent, type EventDataFor, type NewEvent } from './messaging/create-event.js';
export { enqueueEvent } from './messaging/enqueue-event.js';
export { OutboxRelay, type OutboxRelayOptions } from './messaging/outbox-relay.js';
export {
  ConsumerHeaders,
  startConsumer,
  type ConsumerHandle,
  type ConsumerOptions,
  type EventHandler,
} from './messaging/event-consumer.js';
export { OutboxEvent } from './messaging/outbox-event.entity.js';
export { ProcessedMessage } from './messaging/processed-message.entity.js';
export { kitEntities, kitMigrations } from './messaging/kit-migrations.js';

export {
  decodeCursor,
  encodeCursor,
  maxPageSize,
  pageQuerySchema,
  toPage,
  type CursorPosition,
  type Page,
} from './pagination/cursor-page.js';
export { paginateNewestFirst } from './pagination/keyset.js';

export {
  defineService,
  type ServiceConsumer,
  type ServiceContext,
  type ServiceDefinition,
} from './service/service-definition.js';
export { startService, type RunningService, type StartOptions } from './service/start-service.js';
export { serviceMain } from './service/service-main.js';

export {
  ClientCredentialsTokens,
  type ClientCredentialsOptions,
} from './keycloak/client-credentials-tokens.js';
export {
  createKeycloakAdmin,
  type KeycloakAdmin,
  type KeycloakAdminOptions,
} from './keycloak/keycloak-admin.js';
export { isTransportFailure, KeycloakUnavailable } from './keycloak/keycloak-unavailable.js';
export {
  keycloakReason,
  keycloakRetryAfterSeconds,
  problemFromKeycloakError,
} from './keycloak/keycloak-problem.js';
export { keycloakAdminConfigSchema, serviceClientConfigSchema } from './config/keycloak-config.js';
export { listRoutes } from './service/list-routes.js';

export type { ApiHeader, ApiOperation, ApiResponse } from './openapi/api-operation.js';
export {
  buildOpenApiDocument,
  problem,
  type OpenApiDocument,
  type OpenApiDocumentOptions,
  type OpenApiInfo,
} from './openapi/build-openapi-document.js';
export { apiDocsRoutes, type ApiDocsOptions } from './openapi/api-docs-routes.js';
export { openApiPathOf } from './openapi/openapi-path.js';
export { problemSchema } from './openapi/problem-schema.js';
export { parseHeaders } from './http/validate.js';
