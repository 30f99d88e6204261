import { decodeCursor, type Page, type Principal, toPage } from '@platform/kit';
import type { Invoice } from '../data/invoice-entity.js';
import type { InvoiceRepository } from '../data/invoice-repository.js';
import type { InvoiceView, ListInvoicesQuery } from './invoice-schemas.js';

export const billingAdminRole = 'billing-admin';

/** A user sees only their own invoices; a billing administrator sees everyone's and may filter by user. */
export async function listInvoices(
  invoices: InvoiceRepository,
  principal: Principal,
  query: ListInvoicesQuery,
): Promise<Page<InvoiceView>> {
  const isAdmin = principal.roles.includes(billingAdminRole);
  const rows = await invoices.list({
    userId: isAdmin ? query.userId : principal.subject,
    status: query.status,
    cursor: decodeCursor(query.cursor),
    limit: query.limit,
  });
  return toPage(rows, query.limit, toInvoiceView, (row) => row);
}

export function toInvoiceView(invoice: Invoice): InvoiceView {
  return {
    id: invoice.id,
    accountId: invoice.accountId,
    userId: invoice.userId,
    status: invoice.status,
    currency: invoice.currency,
    lines: invoice.lines,
    totalMinor: invoice.totalMinor,
    paidMinor: invoice.paidMinor,
    createdAt: invoice.createdAt.toISOString(),
    updatedAt: invoice.updatedAt.toISOString(),
  };
}
