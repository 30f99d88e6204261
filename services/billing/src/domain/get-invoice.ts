import { notFound, type Principal } from '@platform/kit';
import { mayAccess } from './billing-roles.js';
import type { InvoiceDesk } from './invoice-desk.js';
import type { InvoiceView } from './invoice-schemas.js';
import { toInvoiceView } from './invoice-view.js';

/** Somebody else's invoice answers exactly like a missing one, so ids cannot be probed. */
export async function getInvoice(
  { invoices }: InvoiceDesk,
  principal: Principal,
  invoiceId: string,
): Promise<InvoiceView> {
  const invoice = await invoices.findById(invoiceId);
  if (!invoice || !mayAccess(principal, invoice.userId)) throw notFound('No such invoice');
  return toInvoiceView(invoice);
}
