import { notFound } from '@platform/kit';
import type { Identity } from './identity-directory.js';
import type { ProfileDependencies } from './profile-dependencies.js';
import type { Profile } from './profile-schemas.js';
import { defaultDisplayName, toProfile } from './profile-views.js';
import type { UserRecord } from './user-store.js';

// Lookups for other services (by profile id they use getUser). Events name users by their Keycloak
// id, and a user may never have called this service yet; so a user Keycloak knows but this table
// does not is provisioned on the lookup (status from Keycloak's enabled flag) instead of a 404.

export async function findUserBySubject(
  dependencies: ProfileDependencies,
  subject: string,
): Promise<Profile> {
  const { users, identities } = dependencies;
  const user = await users.findBySubject(subject);
  const identity = await identities.find(subject);
  if (user) return toProfile(user, identity);
  if (!identity) throw notFound(`No user with subject ${subject}`);
  return toProfile(await provisionFrom(dependencies, identity), identity);
}

/** Keycloak owns usernames (and a deleted user's name may be taken again), so it is asked first. */
export async function findUserByUsername(
  dependencies: ProfileDependencies,
  username: string,
): Promise<Profile> {
  const { users, identities } = dependencies;
  const identity = await identities.findByUsername(username);
  if (identity) {
    const user = await users.findBySubject(identity.subject);
    return toProfile(user ?? (await provisionFrom(dependencies, identity)), identity);
  }
  // Gone from Keycloak: the last local row under that name still tells the caller what became of it.
  const user = await users.findByUsername(username);
  if (!user) throw notFound(`No user named ${username}`);
  return toProfile(user, null);
}

function provisionFrom({ users }: ProfileDependencies, identity: Identity): Promise<UserRecord> {
  return users.provision({
    subject: identity.subject,
    username: identity.username,
    displayName: defaultDisplayName(identity),
    status: identity.enabled ? 'active' : 'suspended',
  });
}
