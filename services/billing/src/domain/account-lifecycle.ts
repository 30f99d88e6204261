import { EventTypes, parseUserEvent, type EventEnvelope, type EventType } from '@platform/contracts';
import type { Transaction } from '@platform/kit';
import type { AccountChange, AccountStatus, AccountStore } from './account-store.js';

// Accounts are opened and moved from the lifecycle events alone: nothing here calls another
// service, so no transaction waits on the network, and an account opens while the user service
// is down. Events for one user may arrive in any order (retries, redeliveries): the first event
// about a user who has no account yet opens it in the state that event implies.

/**
 * What each lifecycle event asks of its user's account:
 * - user.registered opens it, active. If an earlier event (disabled, deleted) already opened it,
 *   nothing changes: the registration happened before whatever that event said.
 * - user.disabled: no new payments until the user is enabled again (opened suspended if new).
 * - user.enabled: a suspended account becomes active (opened active if new); a closed one stays closed.
 * - user.deleted: closed for good (opened closed if new); its invoices and payments stay for the books.
 */
const lifecycleChanges = {
  [EventTypes.userRegistered]: { status: 'active', opensOnly: true },
  [EventTypes.userDisabled]: { status: 'suspended', opensOnly: false },
  [EventTypes.userEnabled]: { status: 'active', opensOnly: false },
  [EventTypes.userDeleted]: { status: 'closed', opensOnly: false },
} as const satisfies Partial<Record<EventType, { status: AccountStatus; opensOnly: boolean }>>;

type LifecycleEventType = keyof typeof lifecycleChanges;
export const lifecycleEventTypes = Object.keys(lifecycleChanges) as LifecycleEventType[];

/**
 * Moves the accounts of the users the events are about (distinct users: the consumer's rounds).
 * Writes only through `tx`, the consumer's transaction, and reads nothing from elsewhere: the
 * event carries all it needs.
 */
export function applyLifecycleEvents(
  accounts: AccountStore,
  envelopes: readonly EventEnvelope[],
  tx: Transaction,
): Promise<void> {
  return accounts.applyChanges(envelopes.map(accountChangeOf), tx);
}

function accountChangeOf(envelope: EventEnvelope): AccountChange {
  const { type, data } = parseUserEvent(envelope, lifecycleChanges);
  return { userId: data.userId, ...lifecycleChanges[type] };
}
