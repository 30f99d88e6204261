import { EventTypes, type UserProfileUpdatedV1 } from '@platform/contracts';
import { createEvent, preconditionFailed, type Principal } from '@platform/kit';
import { findOrProvisionCaller } from './get-my-profile.js';
import type { Identity, IdentityChanges } from './identity-directory.js';
import type { ProfileDependencies } from './profile-dependencies.js';
import type { Profile, ProfileChanges } from './profile-schemas.js';
import { toProfile } from './profile-views.js';
import { accountGone, assertActive } from './user-status.js';
import type { LocalChanges, UserRecord } from './user-store.js';

export interface ProfileUpdate {
  readonly changes: ProfileChanges;
  /** From If-Match: the versions the client based its change on; undefined when it sent none. */
  readonly expectedVersions: readonly number[] | undefined;
}

/**
 * Changes the caller's profile: local fields in Postgres, the Keycloak-owned ones through the
 * Admin API, both inside one database transaction. The Keycloak write comes last before the
 * commit, so when it fails nothing local (row or outbox event) is committed.
 */
export async function updateMyProfile(
  { unitOfWork, users, identities, logger }: ProfileDependencies,
  principal: Principal,
  { changes, expectedVersions }: ProfileUpdate,
): Promise<Profile> {
  await findOrProvisionCaller(users, principal);
  const outcome = await unitOfWork.run(async (tx) => {
    const current = await users.lockBySubject(principal.subject, tx);
    if (!current) throw new Error(`user ${principal.subject} vanished before its update`);
    assertActive(current);
    if (expectedVersions !== undefined && !expectedVersions.includes(current.version)) {
      throw preconditionFailed(
        `If-Match names no current version; the profile is at version ${current.version}`,
      );
    }
    const identity = await identities.find(principal.subject);
    if (!identity) throw accountGone();
    const local = localChangesOf(current, changes);
    const remote = identityChangesOf(identity, changes);
    if (Object.keys(local).length === 0 && Object.keys(remote).length === 0) {
      return { user: current, identity, emailChanged: false };
    }

    const updated = await users.update(current, local, tx);
    const changedIdentity: Identity = {
      ...identity,
      ...remote,
      emailVerified: remote.email === undefined ? identity.emailVerified : false,
    };
    await tx.enqueue(
      createEvent({
        type: EventTypes.userProfileUpdated,
        version: 1,
        subject: principal.subject,
        data: profileUpdatedData(updated, changedIdentity),
      }),
    );
    if (Object.keys(remote).length > 0) await identities.update(principal.subject, remote);
    return { user: updated, identity: changedIdentity, emailChanged: remote.email !== undefined };
  });

  if (outcome.emailChanged) {
    // The address is already marked unverified, which is what protects the account; a mail that
    // could not be sent (no SMTP, Keycloak hiccup) must not undo a change that has been committed.
    await identities.sendVerifyEmail(principal.subject).catch((error: unknown) => {
      logger.warn({ err: error, subject: principal.subject }, 'could not send the verify-e-mail message');
    });
  }
  return toProfile(outcome.user, outcome.identity);
}

function localChangesOf(user: UserRecord, changes: ProfileChanges): LocalChanges {
  const local: LocalChanges = {};
  if (changes.displayName !== undefined && changes.displayName !== user.displayName) {
    local.displayName = changes.displayName;
  }
  if (changes.avatarUrl !== undefined && changes.avatarUrl !== user.avatarUrl)
    local.avatarUrl = changes.avatarUrl;
  if (changes.settings !== undefined) {
    const merged = { ...user.settings, ...changes.settings };
    if (JSON.stringify(merged) !== JSON.stringify(user.settings)) local.settings = merged;
  }
  return local;
}

function identityChangesOf(identity: Identity, changes: ProfileChanges): IdentityChanges {
  const remote: IdentityChanges = {};
  if (changes.firstName !== undefined && changes.firstName !== identity.firstName)
    remote.firstName = changes.firstName;
  if (changes.lastName !== undefined && changes.lastName !== identity.lastName)
    remote.lastName = changes.lastName;
  // Keycloak stores addresses in lower case; the same address in other case is no change.
  if (changes.email !== undefined && changes.email.toLowerCase() !== identity.email?.toLowerCase()) {
    remote.email = changes.email.toLowerCase();
  }
  return remote;
}

function profileUpdatedData(user: UserRecord, identity: Identity): UserProfileUpdatedV1 {
  return {
    userId: user.subject,
    ...(user.username === null ? {} : { username: user.username }),
    ...(identity.email === null ? {} : { email: identity.email }),
    ...(identity.firstName === null ? {} : { firstName: identity.firstName }),
    ...(identity.lastName === null ? {} : { lastName: identity.lastName }),
  };
}
