import { defineService } from '@platform/kit';
import { authConfigSchema } from './config.js';
import { AuditEntry } from './data/audit-entry-entity.js';
import { AuditRepository } from './data/audit-repository.js';
import { CreateAuditEntries1764000000000 } from './data/migrations/1764000000000-create-audit-entries.js';
import { auditRoutes } from './http/audit-routes.js';

export const service = defineService({
  name: 'auth',
  configSchema: authConfigSchema,
  entities: [AuditEntry],
  migrations: [CreateAuditEntries1764000000000],
  routes: ({ auth, dataSource }) => [auditRoutes(auth, new AuditRepository(dataSource))],
});
