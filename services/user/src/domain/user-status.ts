import { forbidden, type Principal } from '@platform/kit';
import type { UserRecord, UserStore } from './user-store.js';

/** A suspended or deleted user is refused everywhere, whatever their still-valid token says. */
export function assertActive(user: UserRecord): void {
  if (user.status !== 'active') throw forbidden(`This account is ${user.status}`);
}

/** The caller's own status, checked on every route; a caller without a row has not been refused. */
export async function assertCallerActive(users: UserStore, principal: Principal): Promise<void> {
  const caller = await users.findBySubject(principal.subject);
  if (caller) assertActive(caller);
}

/** The token is still valid but Keycloak has deleted the user; the deletion event is on its way. */
export function accountGone(): Error {
  return forbidden('This account no longer exists');
}
