import { apiDocsRoutes, defineService, keycloakAdminFromConfig } from '@platform/kit';
import { authConfigSchema } from './config.js';
import { AuditEntry } from './data/audit-entry-entity.js';
import { AuditRepository } from './data/audit-repository.js';
import { KeycloakUserDirectory } from './data/keycloak-user-directory.js';
import { CreateAuditEntries1764000000000 } from './data/migrations/1764000000000-create-audit-entries.js';
import { accountRoutes } from './http/account-routes.js';
import { adminUserRoutes } from './http/admin-user-routes.js';
import { authApiOperations } from './http/api-operations.js';
import { auditRoutes } from './http/audit-routes.js';

export const service = defineService({
  name: 'auth',
  configSchema: authConfigSchema,
  entities: [AuditEntry],
  migrations: [CreateAuditEntries1764000000000],
  components: (context) => ({
    // One Admin API client: its token is shared by every call and renewed before it expires.
    directory: new KeycloakUserDirectory(keycloakAdminFromConfig(context)),
    audit: new AuditRepository(context.dataSource),
    unitOfWork: context.unitOfWork,
    logger: context.logger,
  }),
  routes: ({ auth, components }) => {
    const tables = [
      accountRoutes(auth, components),
      adminUserRoutes(auth, components),
      auditRoutes(auth, components.audit),
    ];
    const docs = apiDocsRoutes({
      auth,
      info: {
        title: 'Auth service',
        version: '1',
        description: 'Sign-up, password reset, account administration through Keycloak, and the audit log.',
      },
      tables,
      operations: authApiOperations,
    });
    return [...tables, docs];
  },
});
