import { type CursorPosition, paginateNewestFirst } from '@platform/kit';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry-entity.js';

export interface AuditFilter {
  actor?: string;
  target?: string;
  action?: string;
  cursor: CursorPosition | undefined;
  limit: number;
}

export type NewAuditEntry = Pick<AuditEntry, 'actor' | 'action' | 'target' | 'before' | 'after' | 'requestId'>;

export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends an entry, inside the caller's transaction when one is given. */
  async record(entry: NewAuditEntry, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(AuditEntry).save(Object.assign(new AuditEntry(), entry));
  }

  /** Returns up to `limit + 1` entries, newest first. */
  list(filter: AuditFilter): Promise<AuditEntry[]> {
    const query = this.dataSource.getRepository(AuditEntry).createQueryBuilder('entry');
    for (const field of ['actor', 'target', 'action'] as const) {
      const value = filter[field];
      if (value !== undefined) query.andWhere(`entry.${field} = :${field}`, { [field]: value });
    }
    return paginateNewestFirst(query, 'entry', { ...filter, createdAtColumn: 'occurredAt' }).getMany();
  }
}
