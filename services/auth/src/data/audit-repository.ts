import { entityManagerOf, paginateNewestFirst, type Transaction } from '@platform/kit';
import type { DataSource } from 'typeorm';
import type { AuditFilter, AuditLog, AuditRecord, NewAuditEntry } from '../domain/audit-log.js';
import { AuditEntry } from './audit-entry-entity.js';

export class AuditRepository implements AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  async record(entry: NewAuditEntry, tx?: Transaction): Promise<void> {
    await (tx ? entityManagerOf(tx) : this.dataSource.manager)
      .getRepository(AuditEntry)
      .save(Object.assign(new AuditEntry(), entry));
  }

  list(filter: AuditFilter): Promise<AuditRecord[]> {
    const query = this.dataSource.getRepository(AuditEntry).createQueryBuilder('entry');
    for (const field of ['actor', 'target', 'action', 'requestId'] as const) {
      const value = filter[field];
      if (value !== undefined) query.andWhere(`entry.${field} = :${field}`, { [field]: value });
    }
    if (filter.since) query.andWhere('entry.occurredAt >= :since', { since: filter.since });
    if (filter.until) query.andWhere('entry.occurredAt < :until', { until: filter.until });
    return paginateNewestFirst(query, 'entry', { ...filter, createdAtColumn: 'occurredAt' }).getMany();
  }
}
