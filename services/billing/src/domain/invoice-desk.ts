import type { UnitOfWork } from '@platform/kit';
import type { AccountStore } from './account-store.js';
import type { InvoiceStore } from './invoice-store.js';

/** What the invoice use cases work with. */
export interface InvoiceDesk {
  readonly accounts: AccountStore;
  readonly invoices: InvoiceStore;
  readonly unitOfWork: UnitOfWork;
}
