import { conflict, notFound } from '@platform/kit';
import type { InvoiceRepository } from '../data/invoice-repository.js';
import { assertTransition } from './invoice-lifecycle.js';
import type { InvoiceView } from './invoice-schemas.js';
import { toInvoiceView } from './invoice-view.js';

/** draft → open: the invoice is issued and can now be paid. */
export function finalizeInvoice(invoices: InvoiceRepository, invoiceId: string): Promise<InvoiceView> {
  return invoices
    .changeLocked(invoiceId, (invoice) => {
      if (!invoice) throw notFound('No such invoice');
      assertTransition(invoice.status, 'open');
      invoice.status = 'open';
      invoice.finalizedAt = new Date();
      return invoice;
    })
    .then(toInvoiceView);
}

/** draft or open → void. Money already received would need a refund, which billing does not do. */
export function voidInvoice(invoices: InvoiceRepository, invoiceId: string): Promise<InvoiceView> {
  return invoices
    .changeLocked(invoiceId, (invoice) => {
      if (!invoice) throw notFound('No such invoice');
      assertTransition(invoice.status, 'void');
      if (invoice.paidMinor > 0) throw conflict('The invoice has payments and cannot be voided');
      invoice.status = 'void';
      invoice.voidedAt = new Date();
      return invoice;
    })
    .then(toInvoiceView);
}
