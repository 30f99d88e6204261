import { EventTypes } from '@platform/contracts';
import { conflict, createEvent, forbidden } from '@platform/kit';
import type { AdminDependencies } from './admin-dependencies.js';
import { recordChange } from './record-change.js';
import { auditEntryOf, AuditActions, type ChangeContext } from './change-context.js';
import type { AssignableRole, UserDetail } from './user-schemas.js';
import { toUserDetail, userEventData } from './user-views.js';
import type { DirectoryUser } from './user-directory.js';

// A role change is `user.updated`, wherever it is made: the Keycloak events bridge announces one
// made in the admin console the same way.
const roleChanged = (user: DirectoryUser) =>
  createEvent({ type: EventTypes.userUpdated, version: 1, subject: user.id, data: userEventData(user) });

/**
 * An administrator grants a realm role from the allow-list. Only an admin may grant `admin`.
 * Granting a role the account already holds directly changes nothing and records nothing.
 */
export async function grantRole(
  { directory, ...recording }: AdminDependencies,
  id: string,
  role: AssignableRole,
  context: ChangeContext,
): Promise<UserDetail> {
  if (role === 'admin' && !context.actor.roles.includes('admin')) {
    throw forbidden('Only an admin may grant the admin role');
  }
  const user = await directory.get(id);
  const direct = await directory.directRealmRoles(id);
  if (!direct.includes(role)) {
    await recordChange(
      recording,
      auditEntryOf(
        context,
        AuditActions.roleGranted,
        id,
        { roles: direct },
        { roles: [...direct, role].sort() },
      ),
      roleChanged(user),
      async () => {
        await directory.grantRealmRole(id, role);
      },
    );
  }
  return toUserDetail(user, await directory.realmRoles(id));
}

/**
 * An administrator removes a realm role from the allow-list. Nobody may remove their own admin
 * role (the realm could be left without an administrator). A role held only through a composite,
 * such as the realm's default roles, cannot be removed on its own.
 */
export async function revokeRole(
  { directory, ...recording }: AdminDependencies,
  id: string,
  role: AssignableRole,
  context: ChangeContext,
): Promise<UserDetail> {
  if (role === 'admin' && context.actor.subject === id) {
    throw forbidden('You cannot remove your own admin role');
  }
  const user = await directory.get(id);
  const direct = await directory.directRealmRoles(id);
  if (!direct.includes(role)) {
    const effective = await directory.realmRoles(id);
    if (effective.includes(role)) {
      throw conflict(
        `The user holds "${role}" through a composite role such as the default roles, not on its own`,
      );
    }
    return toUserDetail(user, effective);
  }
  await recordChange(
    recording,
    auditEntryOf(
      context,
      AuditActions.roleRevoked,
      id,
      { roles: direct },
      { roles: direct.filter((name) => name !== role) },
    ),
    roleChanged(user),
    async () => {
      await directory.revokeRealmRole(id, role);
    },
  );
  return toUserDetail(user, await directory.realmRoles(id));
}
