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
import { userEventData } from './user-views.js';

/**
 * An administrator deletes an account. Deletion cannot be undone, so Keycloak deletes it inside
 * the transaction that holds the audit entry and `user.deleted`: if Keycloak refuses, neither is written.
 */
export async function deleteUser(
  { directory, ...recording }: AdminDependencies,
  id: string,
  context: ChangeContext,
): Promise<void> {
  refuseChangeToOwnAccount(context, id, 'delete');
  const user = await directory.get(id);
  await recordChange(
    recording,
    auditEntryOf(
      context,
      AuditActions.userDeleted,
      id,
      { username: user.username, email: user.email ?? null, enabled: user.enabled },
      null,
    ),
    createEvent({ type: EventTypes.userDeleted, version: 1, subject: id, data: userEventData(user) }),
    () => directory.remove(id),
  );
}
