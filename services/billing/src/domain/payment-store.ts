import type { Transaction } from '@platform/kit';

/**
 * One payment towards an invoice, as the provider reported it. Holds the provider's reference,
 * never card data.
 */
export interface PaymentRecord {
  readonly id: string;
  readonly invoiceId: string;
  readonly accountId: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** Which provider took the payment, e.g. `manual`. */
  readonly provider: string;
  readonly providerReference: string;
  /** The subject of whoever recorded the payment: the owner, or a billing administrator. */
  readonly recordedBy: string;
  readonly createdAt: Date;
}

export type NewPayment = Omit<PaymentRecord, 'id' | 'createdAt'>;

export interface PaymentStore {
  insert(tx: Transaction, payment: NewPayment): Promise<PaymentRecord>;
}
