import { defineService, keycloakAdminFromConfig } from '@platform/kit';
import { authConfigSchema } from './config.js';
import { AuditEntry } from './data/audit-entry-entity.js';
import { AuditRepository } from './data/audit-repository.js';
import { KeycloakUserDirectory } from './data/keycloak-user-directory.js';
import { IdentityBridgeStateRepository } from './data/identity-bridge-state-repository.js';
import { KeycloakEventLogReader } from './data/keycloak-event-log.js';
import { CreateAuditEntries1764000000000 } from './data/migrations/1764000000000-create-audit-entries.js';
import { CreateIdentityBridgeState1764100000000 } from './data/migrations/1764100000000-create-identity-bridge-state.js';
import { createIdentityBridgeMetrics } from './events/identity-bridge-metrics.js';
import { IdentityBridgeWorker } from './events/identity-bridge-worker.js';
import { accountRoutes } from './http/account-routes.js';
import { adminUserRoutes } from './http/admin-user-routes.js';
import { authApiOperations } from './http/api-operations.js';
import { auditRoutes } from './http/audit-routes.js';
import { revocationsConsumer } from './events/revocations-consumer.js';

export const service = defineService({
  name: 'auth',
  configSchema: authConfigSchema,
  entities: [AuditEntry],
  migrations: [CreateAuditEntries1764000000000, CreateIdentityBridgeState1764100000000],
  components: (context) => {
    // One Admin API client: its token is shared by every call and renewed before it expires.
    const admin = keycloakAdminFromConfig(context);
    return {
      directory: new KeycloakUserDirectory(admin),
      eventLog: new KeycloakEventLogReader(admin, context.config.KEYCLOAK_REALM),
      audit: new AuditRepository(context.dataSource),
      unitOfWork: context.unitOfWork,
      logger: context.logger,
    };
  },
  // Users created or changed in Keycloak itself (admin console, realm import) become platform events.
  workers: ({ config, components, logger, metrics }) => [
    new IdentityBridgeWorker({
      log: components.eventLog,
      state: new IdentityBridgeStateRepository(),
      unitOfWork: components.unitOfWork,
      logger,
      metrics: createIdentityBridgeMetrics(metrics.registry),
      pollMs: config.KEYCLOAK_EVENTS_POLL_MS,
      platformClients: config.KEYCLOAK_EVENTS_PLATFORM_CLIENTS,
      retentionMs: config.KEYCLOAK_EVENTS_RETENTION_SECONDS * 1000,
    }),
  ],
  routes: ({ auth, components }) => [
    accountRoutes(auth, components),
    adminUserRoutes(auth, components),
    auditRoutes(auth, components.audit),
  ],
  api: {
    description: 'Sign-up, password reset, account administration through Keycloak, and the audit log.',
    operations: authApiOperations,
  },
  // Disabled and deleted users' tokens are refused everywhere (the kit's revocation list).
  consumers: ({ revocations }) => [revocationsConsumer(revocations)],
});
