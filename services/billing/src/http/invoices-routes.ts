import { parseBody, parseParams, parseQuery, principalOf, RouteTable, type Auth } from '@platform/kit';
import type { AccountRepository } from '../data/account-repository.js';
import type { InvoiceRepository } from '../data/invoice-repository.js';
import { billingAdminRole, userRole } from '../domain/billing-roles.js';
import { finalizeInvoice, voidInvoice } from '../domain/change-invoice-status.js';
import { createInvoice } from '../domain/create-invoice.js';
import { getInvoice } from '../domain/get-invoice.js';
import {
  createInvoiceBodySchema,
  invoiceParamsSchema,
  listInvoicesQuerySchema,
} from '../domain/invoice-schemas.js';
import { listInvoices } from '../domain/list-invoices.js';

export function invoicesRoutes(
  auth: Auth,
  accounts: AccountRepository,
  invoices: InvoiceRepository,
): RouteTable {
  return new RouteTable({ auth, basePath: '/billing/invoices' })
    .get('/', { roles: [userRole, billingAdminRole] }, async (req, res) => {
      res.json(await listInvoices(invoices, principalOf(req), parseQuery(listInvoicesQuerySchema, req)));
    })
    .post('/', { roles: [billingAdminRole] }, async (req, res) => {
      const invoice = await createInvoice(accounts, invoices, parseBody(createInvoiceBodySchema, req));
      res.status(201).location(`/billing/invoices/${invoice.id}`).json(invoice);
    })
    .get('/:id', { roles: [userRole, billingAdminRole] }, async (req, res) => {
      const { id } = parseParams(invoiceParamsSchema, req);
      res.json(await getInvoice(invoices, principalOf(req), id));
    })
    .post('/:id/finalize', { roles: [billingAdminRole] }, async (req, res) => {
      res.json(await finalizeInvoice(invoices, parseParams(invoiceParamsSchema, req).id));
    })
    .post('/:id/void', { roles: [billingAdminRole] }, async (req, res) => {
      res.json(await voidInvoice(invoices, parseParams(invoiceParamsSchema, req).id));
    });
}
