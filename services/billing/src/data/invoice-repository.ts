import { type CursorPosition, paginateNewestFirst } from '@platform/kit';
import type { DataSource } from 'typeorm';
import { Invoice, type InvoiceStatus } from './invoice-entity.js';

export interface InvoiceFilter {
  userId?: string;
  status?: InvoiceStatus;
  cursor: CursorPosition | undefined;
  limit: number;
}

export class InvoiceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Returns up to `limit + 1` rows, newest first, so the caller can tell whether more exist. */
  list(filter: InvoiceFilter): Promise<Invoice[]> {
    const query = this.dataSource.getRepository(Invoice).createQueryBuilder('invoice');
    if (filter.userId !== undefined) query.andWhere('invoice.userId = :userId', { userId: filter.userId });
    if (filter.status !== undefined) query.andWhere('invoice.status = :status', { status: filter.status });
    return paginateNewestFirst(query, 'invoice', filter).getMany();
  }
}
