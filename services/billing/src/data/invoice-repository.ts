import { type CursorPosition, paginateNewestFirst } from '@platform/kit';
import type { DataSource, EntityManager } from 'typeorm';
import { Invoice, type InvoiceLine, type InvoiceStatus } from './invoice-entity.js';

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

export class InvoiceRepository {
  constructor(private readonly dataSource: DataSource) {}

  private invoices(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(Invoice);
  }

  /** Returns up to `limit + 1` rows, newest first, so the caller can tell whether more exist. */
  list(filter: InvoiceFilter): Promise<Invoice[]> {
    const query = this.invoices().createQueryBuilder('invoice');
    if (filter.userId !== undefined) query.andWhere('invoice.userId = :userId', { userId: filter.userId });
    if (filter.status !== undefined) query.andWhere('invoice.status = :status', { status: filter.status });
    if (filter.currency !== undefined) {
      query.andWhere('invoice.currency = :currency', { currency: filter.currency });
    }
    return paginateNewestFirst(query, 'invoice', filter).getMany();
  }

  findById(id: string): Promise<Invoice | null> {
    return this.invoices().findOneBy({ id });
  }

  insert(invoice: NewInvoice): Promise<Invoice> {
    return this.invoices().save(this.invoices().create({ ...invoice, status: 'draft', paidMinor: 0 }));
  }

  /**
   * Reads the invoice under a row lock, lets `change` decide on the locked row (or throw), and
   * saves the result in the same transaction: concurrent changes to one invoice run one by one.
   */
  changeLocked(id: string, change: (invoice: Invoice | null) => Invoice): Promise<Invoice> {
    return this.dataSource.transaction(async (manager) => {
      const invoice = await this.lockForUpdate(manager, id);
      return this.invoices(manager).save(change(invoice));
    });
  }

  /** Holds the row until the caller's transaction ends; a second payer waits here. */
  lockForUpdate(manager: EntityManager, id: string): Promise<Invoice | null> {
    return this.invoices(manager)
      .createQueryBuilder('invoice')
      .setLock('pessimistic_write')
      .where('invoice.id = :id', { id })
      .getOne();
  }

  save(manager: EntityManager, invoice: Invoice): Promise<Invoice> {
    return this.invoices(manager).save(invoice);
  }
}
