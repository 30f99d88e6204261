import { decodeCursor, type Page, type Principal, toPage } from '@platform/kit';
import { isBillingAdmin } from './billing-roles.js';
import type { InvoiceDesk } from './invoice-desk.js';
import type { InvoiceView, ListInvoicesQuery } from './invoice-schemas.js';
import { toInvoiceView } from './invoice-view.js';

/** A user sees only their own invoices; a billing administrator sees everyone's and may filter by user. */
export async function listInvoices(
  { invoices }: InvoiceDesk,
  principal: Principal,
  query: ListInvoicesQuery,
): Promise<Page<InvoiceView>> {
  const rows = await invoices.list({
    userId: isBillingAdmin(principal) ? query.userId : principal.subject,
    status: query.status,
    currency: query.currency,
    cursor: decodeCursor(query.cursor),
    limit: query.limit,
  });
  return toPage(rows, query.limit, toInvoiceView, (row) => row);
}
