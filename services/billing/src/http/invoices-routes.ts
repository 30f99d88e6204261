import { parseQuery, principalOf, RouteTable, type Auth } from '@platform/kit';
import type { InvoiceRepository } from '../data/invoice-repository.js';
import { listInvoicesQuerySchema } from '../domain/invoice-schemas.js';
import { billingAdminRole, listInvoices } from '../domain/list-invoices.js';

export function invoicesRoutes(auth: Auth, invoices: InvoiceRepository): RouteTable {
  return new RouteTable({ auth, basePath: '/billing/invoices' }).get(
    '/',
    { roles: ['user', billingAdminRole] },
    async (req, res) => {
      res.json(await listInvoices(invoices, principalOf(req), parseQuery(listInvoicesQuerySchema, req)));
    },
  );
}
