import { conflict, unprocessableContent } from '@platform/kit';
import type { InvoiceDesk } from './invoice-desk.js';
import { type CreateInvoiceBody, invoiceTotalOf, type InvoiceView } from './invoice-schemas.js';
import { toInvoiceView } from './invoice-view.js';

/** A billing administrator drafts an invoice for a user's account; it stays a draft until finalized. */
export async function createInvoice(
  { accounts, invoices }: InvoiceDesk,
  body: CreateInvoiceBody,
): Promise<InvoiceView> {
  const account = await accounts.findByUserId(body.userId);
  if (!account) {
    throw unprocessableContent('The user has no billing account', [
      { field: 'userId', message: 'no billing account for this user' },
    ]);
  }
  if (account.status === 'closed') throw conflict('The billing account is closed');
  const invoice = await invoices.insert({
    accountId: account.id,
    userId: account.userId,
    currency: body.currency,
    lines: body.lines,
    totalMinor: invoiceTotalOf(body.lines),
  });
  return toInvoiceView(invoice);
}
