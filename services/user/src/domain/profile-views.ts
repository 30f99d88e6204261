import type { Identity } from './identity-directory.js';
import type { Profile, UserSettings, UserSummary } from './profile-schemas.js';
import type { UserRecord } from './user-store.js';

export function toUserSummary(user: UserRecord): UserSummary {
  return {
    id: user.id,
    subject: user.subject,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
    status: user.status,
    settings: user.settings as UserSettings,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    version: user.version,
  };
}

/** The local row merged with Keycloak's fields; those are null when Keycloak no longer knows the user. */
export function toProfile(user: UserRecord, identity: Identity | null): Profile {
  return {
    ...toUserSummary(user),
    email: identity?.email ?? null,
    emailVerified: identity?.emailVerified ?? false,
    firstName: identity?.firstName ?? null,
    lastName: identity?.lastName ?? null,
  };
}

/** What a new row is called before its owner picks a display name. */
export function defaultDisplayName(names: {
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
}): string | null {
  const fullName = [names.firstName, names.lastName]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
  return fullName !== '' ? fullName : (names.username ?? null);
}
