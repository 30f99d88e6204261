import { decodeCursor, type Page, toPage } from '@platform/kit';
import type { AuditEntry } from '../data/audit-entry-entity.js';
import type { AuditRepository } from '../data/audit-repository.js';
import type { AuditEntryView, ListAuditQuery } from './audit-schemas.js';

export async function listAuditEntries(
  audit: AuditRepository,
  query: ListAuditQuery,
): Promise<Page<AuditEntryView>> {
  const { cursor, limit, since, until, ...filters } = query;
  const rows = await audit.list({
    ...filters,
    ...(since === undefined ? {} : { since: new Date(since) }),
    ...(until === undefined ? {} : { until: new Date(until) }),
    cursor: decodeCursor(cursor),
    limit,
  });
  return toPage(rows, limit, toAuditEntryView, (row) => ({ createdAt: row.occurredAt, id: row.id }));
}

function toAuditEntryView(entry: AuditEntry): AuditEntryView {
  return {
    id: entry.id,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    before: entry.before,
    after: entry.after,
    requestId: entry.requestId,
    occurredAt: entry.occurredAt.toISOString(),
  };
}
