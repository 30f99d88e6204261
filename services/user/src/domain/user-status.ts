import { forbidden, type Principal } from '@platform/kit';
import type { User } from '../data/user-entity.js';
import type { UserRepository } from '../data/user-repository.js';

/** A suspended or deleted user is refused everywhere, whatever their still-valid token says. */
export function assertActive(user: User): void {
  if (user.status !== 'active') throw forbidden(`This account is ${user.status}`);
}

/** The caller's own status, checked on every route; a caller without a row has not been refused. */
export async function assertCallerActive(users: UserRepository, principal: Principal): Promise<void> {
  const caller = await users.findBySubject(principal.subject);
  if (caller) assertActive(caller);
}

/** The token is still valid but Keycloak has deleted the user; the deletion event is on its way. */
export function accountGone() {
  return forbidden('This account no longer exists');
}
