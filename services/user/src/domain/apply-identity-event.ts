import { EventTypes, parseUserEvent, type EventEnvelope, type EventType } from '@platform/contracts';
import type { Transaction } from '@platform/kit';
import { defaultDisplayName } from './profile-views.js';
import type { IdentityChange, UserStatus, UserStore } from './user-store.js';

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
 * Mirrors identity events in the local rows: registered and updated create or refresh a row,
 * disabled suspends, enabled re-activates, deleted soft-deletes. A user this service has never
 * seen gets a row too, so that a still-valid token of a disabled or deleted user is refused here
 * as well. The events are about distinct users (the consumer's rounds). Writes only through `tx`,
 * the consumer's transaction that also records the events as processed, which is what makes a
 * redelivery change nothing twice.
 */
export async function applyIdentityEvents(
  users: UserStore,
  envelopes: readonly EventEnvelope[],
  tx: Transaction,
): Promise<void> {
  await users.applyIdentityChanges(envelopes.map(identityChangeOf), tx);
}

function identityChangeOf(envelope: EventEnvelope): IdentityChange {
  const { type, data } = parseUserEvent(envelope, identityEventStatuses);
  return {
    subject: data.userId,
    username: data.username,
    displayName: defaultDisplayName(data),
    status: identityEventStatuses[type],
    occurredAt: new Date(envelope.occurredAt),
  };
}
