import { parseBody, parseParams, parseQuery, principalOf, RouteTable, type Auth } from '@platform/kit';
import { billingAdminRole, userRole } from '../domain/billing-roles.js';
import { finalizeInvoice, voidInvoice } from '../domain/change-invoice-status.js';
import { createInvoice } from '../domain/create-invoice.js';
import { getInvoice } from '../domain/get-invoice.js';
import type { InvoiceDesk } from '../domain/invoice-desk.js';
import {
  createInvoiceBodySchema,
  invoiceParamsSchema,
  listInvoicesQuerySchema,
} from '../domain/invoice-schemas.js';
import { listInvoices } from '../domain/list-invoices.js';

export function invoicesRoutes(auth: Auth, desk: InvoiceDesk): RouteTable {
  return new RouteTable({ auth, basePath: '/billing/invoices' })
    .get('/', { roles: [userRole, billingAdminRole] }, async (req, res) => {
      res.json(await listInvoices(desk, principalOf(req), parseQuery(listInvoicesQuerySchema, req)));
    })
    .post('/', { roles: [billingAdminRole] }, async (req, res) => {
      const invoice = await createInvoice(desk, parseBody(createInvoiceBodySchema, req));
      res.status(201).location(`/billing/invoices/${invoice.id}`).json(invoice);
    })
    .get('/:id', { roles: [userRole, billingAdminRole] }, async (req, res) => {
      const { id } = parseParams(invoiceParamsSchema, req);
      res.json(await getInvoice(desk, principalOf(req), id));
    })
    .post('/:id/finalize', { roles: [billingAdminRole] }, async (req, res) => {
      res.json(await finalizeInvoice(desk, parseParams(invoiceParamsSchema, req).id));
    })
    .post('/:id/void', { roles: [billingAdminRole] }, async (req, res) => {
      res.json(await voidInvoice(desk, parseParams(invoiceParamsSchema, req).id));
    });
}
