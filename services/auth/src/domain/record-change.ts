import type { EventEnvelope } from '@platform/contracts';
import type { UnitOfWork } from '@platform/kit';
import type { AuditLog, NewAuditEntry } from './audit-log.js';

export interface ChangeRecording {
  readonly audit: AuditLog;
  readonly unitOfWork: UnitOfWork;
}

/**
 * Records a change: its audit entry and (when it has one) its event in the outbox, in one
 * transaction. `apply`, when given, makes the change itself and runs last before the commit, so
 * if it fails neither the entry nor the event is written.
 */
export function recordChange(
  { audit, unitOfWork }: ChangeRecording,
  entry: NewAuditEntry,
  event: EventEnvelope | undefined,
  apply?: () => Promise<void>,
): Promise<void> {
  return unitOfWork.run(async (tx) => {
    await audit.record(entry, tx);
    if (event) await tx.enqueue(event);
    await apply?.();
  });
}
