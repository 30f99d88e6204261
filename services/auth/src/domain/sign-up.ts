import { setTimeout as sleep } from 'node:timers/promises';
import { EventTypes } from '@platform/contracts';
import { conflict, createEvent, DependencyRefused, type Logger } from '@platform/kit';
import { anonymousActor, AuditActions } from './change-context.js';
import { recordChange, type ChangeRecording } from './record-change.js';
import type { DirectoryUser, UserDirectory } from './user-directory.js';
import { defaultRole, type SignedUp, type SignUpBody } from './user-schemas.js';
import { userEventData } from './user-views.js';

export interface SignUpDependencies extends ChangeRecording {
  readonly directory: UserDirectory;
  readonly logger: Logger;
}

/**
 * A person signs up: Keycloak creates the account with its password (the realm's password policy
 * judges it), the account holds the default role, Keycloak mails the verification link, and the
 * audit entry and `user.registered` are committed together. Once the account exists, any failing
 * step removes it again, so there is never an account in Keycloak without its event.
 */
export async function signUp(
  { directory, logger, ...recording }: SignUpDependencies,
  body: SignUpBody,
  requestId: string | undefined,
): Promise<SignedUp> {
  const id = await directory.create(body).catch((error: unknown) => {
    if (error instanceof DependencyRefused && error.refusal === 'conflict') {
      throw conflict('An account with this e-mail address already exists');
    }
    throw error;
  });
  const user: DirectoryUser = {
    id,
    username: body.email,
    email: body.email,
    firstName: body.firstName,
    lastName: body.lastName,
    enabled: true,
    emailVerified: false,
    createdAt: undefined,
  };
  try {
    await ensureDefaultRole(directory, id);
    await directory.sendVerifyEmail(id);
    await recordChange(
      recording,
      {
        actor: anonymousActor,
        action: AuditActions.userRegistered,
        target: id,
        before: null,
        after: { email: body.email, firstName: body.firstName, lastName: body.lastName },
        requestId: requestId ?? null,
      },
      createEvent({ type: EventTypes.userRegistered, version: 1, subject: id, data: userEventData(user) }),
    );
  } catch (error) {
    await removeHalfMadeAccount(directory, logger, id, requestId);
    throw error;
  }
  return { id, email: body.email, firstName: body.firstName, lastName: body.lastName, emailVerified: false };
}

// Keycloak maps the realm's default roles to every new account; this only repairs a realm whose
// defaults were changed, so that a signed-up person can always use the platform.
async function ensureDefaultRole(directory: UserDirectory, id: string): Promise<void> {
  if (!(await directory.realmRoles(id)).includes(defaultRole))
    await directory.grantRealmRole(id, defaultRole);
}

const compensationAttempts = 3;

async function removeHalfMadeAccount(
  directory: UserDirectory,
  logger: Logger,
  id: string,
  requestId: string | undefined,
): Promise<void> {
  for (let attempt = 1; attempt <= compensationAttempts; attempt += 1) {
    try {
      await directory.remove(id);
      logger.warn({ userId: id, requestId }, 'sign-up failed after the account was created; account removed');
      return;
    } catch (error) {
      if (attempt === compensationAttempts) {
        // Nothing else can undo it now: say loudly which account an operator must remove.
        logger.error(
          { err: error, userId: id, requestId },
          'sign-up failed and its Keycloak account could not be removed: it exists without user.registered',
        );
        return;
      }
      await sleep(250 * attempt);
    }
  }
}
