import { forbidden, type Principal } from '@platform/kit';
import type { User } from '../data/user-entity.js';
import type { UserRepository } from '../data/user-repository.js';
import type { Profile } from './profile-schemas.js';

/** The caller's own profile, created on the first call from what the token says. */
export async function getMyProfile(users: UserRepository, principal: Principal): Promise<Profile> {
  const user =
    (await users.findBySubject(principal.subject)) ??
    (await users.provision({
      subject: principal.subject,
      username: principal.username ?? null,
      displayName: displayNameOf(principal),
    }));
  assertActive(user);
  return toProfile(user);
}

/** A suspended or deleted user is refused everywhere, whatever the token says. */
export function assertActive(user: User): void {
  if (user.status !== 'active') throw forbidden(`This account is ${user.status}`);
}

function displayNameOf(principal: Principal): string | null {
  const name = principal.claims.name;
  if (typeof name === 'string' && name.trim() !== '') return name.trim();
  return principal.username ?? null;
}

export function toProfile(user: User): Profile {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
    status: user.status,
    settings: user.settings,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    version: user.version,
  };
}
