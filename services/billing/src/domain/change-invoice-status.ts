import { conflict, notFound } from '@platform/kit';
import type { InvoiceDesk } from './invoice-desk.js';
import { assertTransition } from './invoice-lifecycle.js';
import type { InvoiceView } from './invoice-schemas.js';
import type { InvoiceRecord } from './invoice-store.js';
import { toInvoiceView } from './invoice-view.js';

/** draft → open: the invoice is issued and can now be paid. */
export function finalizeInvoice(desk: InvoiceDesk, invoiceId: string): Promise<InvoiceView> {
  return changeLocked(desk, invoiceId, (invoice) => {
    assertTransition(invoice.status, 'open');
    invoice.status = 'open';
    invoice.finalizedAt = new Date();
  });
}

/** draft or open → void. Money already received would need a refund, which billing does not do. */
export function voidInvoice(desk: InvoiceDesk, invoiceId: string): Promise<InvoiceView> {
  return changeLocked(desk, invoiceId, (invoice) => {
    assertTransition(invoice.status, 'void');
    if (invoice.paidMinor > 0) throw conflict('The invoice has payments and cannot be voided');
    invoice.status = 'void';
    invoice.voidedAt = new Date();
  });
}

/**
 * Reads the invoice under a row lock, lets `change` decide on the locked invoice (or throw), and
 * saves it in the same transaction: concurrent changes to one invoice run one by one.
 */
async function changeLocked(
  { invoices, unitOfWork }: InvoiceDesk,
  invoiceId: string,
  change: (invoice: InvoiceRecord) => void,
): Promise<InvoiceView> {
  const saved = await unitOfWork.run(async (tx) => {
    const invoice = await invoices.lockForUpdate(tx, invoiceId);
    if (!invoice) throw notFound('No such invoice');
    change(invoice);
    return invoices.save(tx, invoice);
  });
  return toInvoiceView(saved);
}
