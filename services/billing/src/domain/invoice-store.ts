import type { CursorPosition, Transaction } from '@platform/kit';

export const invoiceStatuses = ['draft', 'open', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitAmountMinor: number;
}

/** Amounts are integer minor units (cents) of an ISO-4217 currency: no floating point money. */
export interface InvoiceRecord {
  readonly id: string;
  readonly accountId: string;
  /** The owner's Keycloak user id, so ownership checks need no join. */
  readonly userId: string;
  status: InvoiceStatus;
  readonly currency: string;
  readonly lines: InvoiceLine[];
  readonly totalMinor: number;
  paidMinor: number;
  finalizedAt: Date | null;
  paidAt: Date | null;
  voidedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface InvoiceFilter {
  userId?: string;
  status?: InvoiceStatus;
  currency?: string;
  cursor: CursorPosition | undefined;
  limit: number;
}

export interface NewInvoice {
  accountId: string;
  userId: string;
  currency: string;
  lines: InvoiceLine[];
  totalMinor: number;
}

export interface InvoiceStore {
  /** Up to `limit + 1` invoices, newest first, so the caller can tell whether more exist. */
  list(filter: InvoiceFilter): Promise<InvoiceRecord[]>;
  findById(id: string): Promise<InvoiceRecord | null>;
  /** A new draft. */
  insert(invoice: NewInvoice): Promise<InvoiceRecord>;
  /** Holds the invoice until `tx` ends; a second payer or status change waits here. */
  lockForUpdate(tx: Transaction, id: string): Promise<InvoiceRecord | null>;
  /** Writes the changes made to an invoice read in `tx`. */
  save(tx: Transaction, invoice: InvoiceRecord): Promise<InvoiceRecord>;
}
