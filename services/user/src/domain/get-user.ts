import { notFound } from '@platform/kit';
import type { ProfileDependencies } from './profile-dependencies.js';
import type { Profile } from './profile-schemas.js';
import { toProfile } from './profile-views.js';

/** Any user's profile, for support and admins; deleted and suspended users included. */
export async function getUser({ users, identities }: ProfileDependencies, id: string): Promise<Profile> {
  const user = await users.findById(id);
  if (!user) throw notFound(`No user with id ${id}`);
  return toProfile(user, await identities.find(user.subject));
}
