import type { Logger } from '@platform/kit';
import type { AuditLog } from './audit-log.js';
import { anonymousActor, AuditActions } from './change-context.js';
import type { UserDirectory } from './user-directory.js';

export interface PasswordResetDependencies {
  readonly directory: UserDirectory;
  readonly audit: AuditLog;
  readonly logger: Logger;
}

/** The one answer every reset request gets, whether or not the address belongs to an account. */
export const passwordResetAccepted = {
  message:
    'If an account exists for this e-mail address, a message with a link to reset its password is on its way.',
} as const;

/**
 * Someone asks to reset the password of an address. The answer is always the same and is given at
 * once: looking the account up and mailing the link happen after the response, so neither the
 * answer nor its timing tells whether the address has an account.
 */
export function requestPasswordReset(
  dependencies: PasswordResetDependencies,
  email: string,
  requestId: string | undefined,
): typeof passwordResetAccepted {
  sendResetLink(dependencies, email, requestId).catch((error: unknown) =>
    dependencies.logger.error({ err: error, requestId }, 'password reset e-mail not sent'),
  );
  return passwordResetAccepted;
}

async function sendResetLink(
  { directory, audit }: PasswordResetDependencies,
  email: string,
  requestId: string | undefined,
): Promise<void> {
  const user = await directory.findByEmail(email);
  // A disabled account gets no link: Keycloak would refuse it anyway, and it must not sign in.
  if (!user?.enabled) return;
  await directory.sendUpdatePasswordEmail(user.id);
  await audit.record({
    actor: anonymousActor,
    action: AuditActions.passwordResetRequested,
    target: user.id,
    before: null,
    after: null,
    requestId: requestId ?? null,
  });
}
