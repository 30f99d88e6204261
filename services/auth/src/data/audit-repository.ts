import { type CursorPosition, enqueueEvent, paginateNewestFirst } from '@platform/kit';
import type { EventEnvelope } from '@platform/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry-entity.js';

export interface AuditFilter {
  actor?: string;
  target?: string;
  action?: string;
  requestId?: string;
  /** Entries that occurred at or after this time. */
  since?: Date;
  /** Entries that occurred before this time. */
  until?: Date;
  cursor: CursorPosition | undefined;
  limit: number;
}

export type NewAuditEntry = Pick<
  AuditEntry,
  'actor' | 'action' | 'target' | 'before' | 'after' | 'requestId'
>;

export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends an entry, inside the caller's transaction when one is given. */
  async record(entry: NewAuditEntry, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager)
      .getRepository(AuditEntry)
      .save(Object.assign(new AuditEntry(), entry));
  }

  /**
   * Records a change: its audit entry and (when it has one) its event in the outbox, in one
   * transaction. `apply`, when given, makes the change itself and runs last before the commit, so
   * if it fails neither the entry nor the event is written.
   */
  async recordChange(
    entry: NewAuditEntry,
    event: EventEnvelope | undefined,
    apply?: () => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.record(entry, manager);
      if (event) await enqueueEvent(manager, event);
      await apply?.();
    });
  }

  /** Returns up to `limit + 1` entries, newest first. */
  list(filter: AuditFilter): Promise<AuditEntry[]> {
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
