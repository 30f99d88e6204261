import type { UserDirectory } from './user-directory.js';
import type { UserDetail } from './user-schemas.js';
import { toUserDetail } from './user-views.js';

/** One person's account with the realm roles their tokens carry. */
export async function getUser(directory: UserDirectory, id: string): Promise<UserDetail> {
  const user = await directory.get(id);
  return toUserDetail(user, await directory.realmRoles(id));
}
