import {
  EventTypes,
  parseEventData,
  type EventEnvelope,
  type EventType,
  type UserEventDataV1,
} from '@platform/contracts';
import type { Transaction } from '@platform/kit';
import { defaultDisplayName } from './profile-views.js';
import type { UserStatus, UserStore } from './user-store.js';

/** The identity events of the auth service and the status each one leaves the user in. */
export const identityEventStatuses = {
  [EventTypes.userRegistered]: undefined,
  [EventTypes.userUpdated]: undefined,
  [EventTypes.userDisabled]: 'suspended',
  [EventTypes.userEnabled]: 'active',
  [EventTypes.userDeleted]: 'deleted',
} as const satisfies Partial<Record<EventType, UserStatus | undefined>>;

export type IdentityEventType = keyof typeof identityEventStatuses;
export const identityEventTypes = Object.keys(identityEventStatuses) as IdentityEventType[];

/**
 * Mirrors one identity event in the local row: registered and updated create or refresh it,
 * disabled suspends, enabled re-activates, deleted soft-deletes. A user this service has never
 * seen gets a row too, so that a still-valid token of a disabled or deleted user is refused here
 * as well. Writes only through `tx`, the consumer's transaction that also records the event
 * as processed, which is what makes a redelivery change nothing twice.
 */
export async function applyIdentityEvent(
  users: UserStore,
  envelope: EventEnvelope,
  tx: Transaction,
): Promise<void> {
  const type = envelope.type as IdentityEventType;
  if (!(type in identityEventStatuses)) throw new Error(`not an identity event: ${envelope.type}`);
  const { data } = parseEventData(envelope, type) as EventEnvelope<UserEventDataV1>;
  await users.applyIdentityChange(
    {
      subject: data.userId,
      username: data.username,
      displayName: defaultDisplayName(data),
      status: identityEventStatuses[type],
      occurredAt: new Date(envelope.occurredAt),
    },
    tx,
  );
}
