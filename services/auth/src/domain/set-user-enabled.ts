import { EventTypes } from '@platform/contracts';
import { createEvent } from '@platform/kit';
import type { AdminDependencies } from './admin-dependencies.js';
import { recordChange } from './record-change.js';
import {
  auditEntryOf,
  AuditActions,
  type ChangeContext,
  refuseChangeToOwnAccount,
} from './change-context.js';
import type { UserDetail } from './user-schemas.js';
import { toUserDetail, userEventData } from './user-views.js';

/**
 * An administrator disables an account: it can no longer sign in, its Keycloak sessions end (so
 * its refresh tokens stop working at once), and `user.disabled` is emitted with the audit entry.
 * Disabling a disabled account changes nothing and records nothing.
 */
export async function disableUser(
  { directory, ...recording }: AdminDependencies,
  id: string,
  context: ChangeContext,
): Promise<UserDetail> {
  refuseChangeToOwnAccount(context, id, 'disable');
  const user = await directory.get(id);
  if (user.enabled) {
    await recordChange(
      recording,
      auditEntryOf(context, AuditActions.userDisabled, id, { enabled: true }, { enabled: false }),
      createEvent({ type: EventTypes.userDisabled, version: 1, subject: id, data: userEventData(user) }),
      async () => {
        await directory.setEnabled(id, false);
        try {
          await directory.logout(id);
        } catch (error) {
          // The change is rolled back as a whole: no half-disabled account with live sessions.
          await directory.setEnabled(id, true).catch(() => undefined);
          throw error;
        }
      },
    );
  }
  return toUserDetail({ ...user, enabled: false }, await directory.realmRoles(id));
}

/** An administrator enables an account again and `user.enabled` is emitted with the audit entry. */
export async function enableUser(
  { directory, ...recording }: AdminDependencies,
  id: string,
  context: ChangeContext,
): Promise<UserDetail> {
  const user = await directory.get(id);
  if (!user.enabled) {
    await recordChange(
      recording,
      auditEntryOf(context, AuditActions.userEnabled, id, { enabled: false }, { enabled: true }),
      createEvent({ type: EventTypes.userEnabled, version: 1, subject: id, data: userEventData(user) }),
      () => directory.setEnabled(id, true),
    );
  }
  return toUserDetail({ ...user, enabled: true }, await directory.realmRoles(id));
}
