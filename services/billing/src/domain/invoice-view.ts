import type { InvoiceView } from './invoice-schemas.js';
import type { InvoiceRecord } from './invoice-store.js';

export function toInvoiceView(invoice: InvoiceRecord): InvoiceView {
  return {
    id: invoice.id,
    accountId: invoice.accountId,
    userId: invoice.userId,
    status: invoice.status,
    currency: invoice.currency,
    lines: invoice.lines,
    totalMinor: invoice.totalMinor,
    paidMinor: invoice.paidMinor,
    finalizedAt: invoice.finalizedAt?.toISOString() ?? null,
    paidAt: invoice.paidAt?.toISOString() ?? null,
    voidedAt: invoice.voidedAt?.toISOString() ?? null,
    createdAt: invoice.createdAt.toISOString(),
    updatedAt: invoice.updatedAt.toISOString(),
  };
}
