import { parseQuery, RouteTable, type Auth } from '@platform/kit';
import type { AuditLog } from '../domain/audit-log.js';
import { listAuditQuerySchema } from '../domain/audit-schemas.js';
import { listAuditEntries } from '../domain/list-audit-entries.js';

export function auditRoutes(auth: Auth, audit: AuditLog): RouteTable {
  return new RouteTable({ auth, basePath: '/auth/audit' }).get(
    '/',
    { roles: ['admin'] },
    async (req, res) => {
      res.json(await listAuditEntries(audit, parseQuery(listAuditQuerySchema, req)));
    },
  );
}
