import type { KeycloakUserDirectory } from '../data/keycloak-user-directory.js';
import type { UserDetail } from './user-schemas.js';
import { toUserDetail } from './user-views.js';

/** One person's account with the realm roles their tokens carry. */
export async function getUser(directory: KeycloakUserDirectory, id: string): Promise<UserDetail> {
  const user = await directory.get(id);
  return toUserDetail(user, await directory.realmRoles(id));
}
