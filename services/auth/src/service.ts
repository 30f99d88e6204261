import { ClientCredentialsTokens, createKeycloakAdmin, defineService } from '@platform/kit';
import { authConfigSchema } from './config.js';
import { AuditEntry } from './data/audit-entry-entity.js';
import { AuditRepository } from './data/audit-repository.js';
import { KeycloakUserDirectory } from './data/keycloak-user-directory.js';
import { CreateAuditEntries1764000000000 } from './data/migrations/1764000000000-create-audit-entries.js';
import { accountRoutes } from './http/account-routes.js';
import { adminUserRoutes } from './http/admin-user-routes.js';
import { auditRoutes } from './http/audit-routes.js';

export const service = defineService({
  name: 'auth',
  configSchema: authConfigSchema,
  entities: [AuditEntry],
  migrations: [CreateAuditEntries1764000000000],
  routes: ({ auth, dataSource, config, logger, metrics }) => {
    // The service's own token, shared by every Admin API call and renewed before it expires.
    const tokens = new ClientCredentialsTokens({
      tokenUrl: config.OIDC_TOKEN_URL,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
    });
    const directory = new KeycloakUserDirectory(
      createKeycloakAdmin({ url: config.KEYCLOAK_URL, realm: config.KEYCLOAK_REALM, tokens, metrics }),
    );
    const audit = new AuditRepository(dataSource);
    return [
      accountRoutes(auth, { directory, audit, logger }),
      adminUserRoutes(auth, { directory, audit }),
      auditRoutes(auth, audit),
    ];
  },
});
