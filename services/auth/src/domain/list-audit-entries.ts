import { decodeCursor, type Page, toPage } from '@platform/kit';
import type { AuditLog, AuditRecord } from './audit-log.js';
import type { AuditEntryView, ListAuditQuery } from './audit-schemas.js';

export async function listAuditEntries(
  audit: AuditLog,
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

function toAuditEntryView(entry: AuditRecord): AuditEntryView {
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
