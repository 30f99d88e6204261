import { EventTypes, parseEventData } from '@platform/contracts';
import type { EventHandler, ServiceConsumer } from '@platform/kit';
import {
  closeAccount,
  openAccountForNewUser,
  reactivateAccount,
  suspendAccount,
} from '../domain/account-lifecycle.js';
import type { AccountStore } from '../domain/account-store.js';
import { lifecycleBackoffMs, lifecycleMaxAttempts } from './retry-schedule.js';

export const userLifecycleQueue = 'billing-service.user-lifecycle';

/**
 * Accounts follow their users: registered → open, disabled → suspended, enabled → active, deleted →
 * closed, in whatever order the events arrive. Each handler writes only through the consumer's
 * transaction and reads nothing from elsewhere (the event carries all it needs).
 */
export function userLifecycleConsumer(accounts: AccountStore): ServiceConsumer {
  const handler: EventHandler = async (envelope, tx) => {
    switch (envelope.type) {
      case EventTypes.userRegistered: {
        const { data } = parseEventData(envelope, EventTypes.userRegistered);
        return openAccountForNewUser(accounts, data.userId, tx);
      }
      case EventTypes.userDisabled: {
        const { data } = parseEventData(envelope, EventTypes.userDisabled);
        return suspendAccount(accounts, data.userId, tx);
      }
      case EventTypes.userEnabled: {
        const { data } = parseEventData(envelope, EventTypes.userEnabled);
        return reactivateAccount(accounts, data.userId, tx);
      }
      case EventTypes.userDeleted: {
        const { data } = parseEventData(envelope, EventTypes.userDeleted);
        return closeAccount(accounts, data.userId, tx);
      }
      default:
        throw new Error(`${userLifecycleQueue} does not handle ${envelope.type}`);
    }
  };
  return {
    // The name keys processed_messages: stable across deploys, and shared by every instance.
    consumerName: userLifecycleQueue,
    queue: userLifecycleQueue,
    routingKeys: [
      EventTypes.userRegistered,
      EventTypes.userDisabled,
      EventTypes.userEnabled,
      EventTypes.userDeleted,
    ],
    handler,
    maxAttempts: lifecycleMaxAttempts,
    backoffMs: lifecycleBackoffMs,
  };
}
