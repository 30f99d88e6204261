import type { Principal } from '@platform/kit';
import type { ProfileDependencies } from './profile-dependencies.js';
import type { Profile } from './profile-schemas.js';
import { toProfile } from './profile-views.js';
import { accountGone, assertActive } from './user-status.js';
import type { UserRecord, UserStore } from './user-store.js';

/**
 * The caller's own profile, created on the first call from what the token says. A suspended or
 * deleted caller is refused here, on the one read of their row.
 */
export async function getMyProfile(
  { users, identities }: ProfileDependencies,
  principal: Principal,
): Promise<Profile> {
  const user = await findOrProvisionCaller(users, principal);
  assertActive(user);
  const identity = await identities.findRecent(principal.subject);
  if (!identity) throw accountGone();
  return toProfile(user, identity);
}

export async function findOrProvisionCaller(users: UserStore, principal: Principal): Promise<UserRecord> {
  return (
    (await users.findBySubject(principal.subject)) ??
    (await users.provision({
      subject: principal.subject,
      username: principal.username ?? null,
      displayName: displayNameOf(principal),
    }))
  );
}

function displayNameOf(principal: Principal): string | null {
  const name = principal.claims.name;
  if (typeof name === 'string' && name.trim() !== '') return name.trim();
  return principal.username ?? null;
}
