import { entityManagerOf, paginateNewestFirst, type Transaction } from '@platform/kit';
import type { DataSource } from 'typeorm';
import type { InvoiceFilter, InvoiceRecord, InvoiceStore, NewInvoice } from '../domain/invoice-store.js';
import { Invoice } from './invoice-entity.js';

export class InvoiceRepository implements InvoiceStore {
  constructor(private readonly dataSource: DataSource) {}

  private invoices(tx?: Transaction) {
    return (tx ? entityManagerOf(tx) : this.dataSource.manager).getRepository(Invoice);
  }

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

  lockForUpdate(tx: Transaction, id: string): Promise<Invoice | null> {
    return this.invoices(tx)
      .createQueryBuilder('invoice')
      .setLock('pessimistic_write')
      .where('invoice.id = :id', { id })
      .getOne();
  }

  save(tx: Transaction, invoice: InvoiceRecord): Promise<Invoice> {
    return this.invoices(tx).save(invoice);
  }
}
