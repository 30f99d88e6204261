import { forbidden } from '@platform/kit';
import type { AuditRecord, NewAuditEntry } from './audit-log.js';

/** Who asks for a change and through which request: what the audit entry records. */
export interface ChangeContext {
  readonly actor: { readonly subject: string; readonly roles: readonly string[] };
  readonly requestId: string | undefined;
}

/** The actor recorded for changes made through public routes (sign-up, password reset). */
export const anonymousActor = 'anonymous';

/** The `action` of audit entries; user-lifecycle changes use the name of the event they emit. */
export const AuditActions = {
  userRegistered: 'user.registered',
  userDisabled: 'user.disabled',
  userEnabled: 'user.enabled',
  userDeleted: 'user.deleted',
  roleGranted: 'user.role_granted',
  roleRevoked: 'user.role_revoked',
  passwordResetRequested: 'user.password_reset_requested',
} as const;

/** Administrators cannot lock themselves out: that would need another administrator to undo. */
export function refuseChangeToOwnAccount(context: ChangeContext, userId: string, change: string): void {
  if (context.actor.subject === userId) throw forbidden(`You cannot ${change} your own account`);
}

/** The audit entry of a change `context` makes to user `target`. */
export function auditEntryOf(
  context: ChangeContext,
  action: string,
  target: string,
  before: AuditRecord['before'],
  after: AuditRecord['after'],
): NewAuditEntry {
  return {
    actor: context.actor.subject,
    action,
    target,
    before,
    after,
    requestId: context.requestId ?? null,
  };
}
