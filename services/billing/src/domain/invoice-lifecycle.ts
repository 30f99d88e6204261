import { conflict } from '@platform/kit';
import type { InvoiceStatus } from './invoice-store.js';

/**
 * draft → open → paid, and draft or open → void. Paid and void are final: a paid invoice is
 * settled money and a void one must stay void for the audit trail.
 */
const nextStatuses: Readonly<Record<InvoiceStatus, readonly InvoiceStatus[]>> = {
  draft: ['open', 'void'],
  open: ['paid', 'void'],
  paid: [],
  void: [],
};

export function canMove(from: InvoiceStatus, to: InvoiceStatus): boolean {
  return nextStatuses[from].includes(to);
}

/** Throws a 409 problem when an invoice in `from` cannot become `to`. */
export function assertTransition(from: InvoiceStatus, to: InvoiceStatus): void {
  if (!canMove(from, to)) {
    throw conflict(`An invoice that is ${from} cannot become ${to}`);
  }
}
