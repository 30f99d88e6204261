import type { ServiceConsumer } from '@platform/kit';
import { applyLifecycleEvents, lifecycleEventTypes } from '../domain/account-lifecycle.js';
import type { AccountStore } from '../domain/account-store.js';
import { lifecycleBackoffMs, lifecycleMaxAttempts } from './retry-schedule.js';

export const userLifecycleQueue = 'billing-service.user-lifecycle';

/**
 * Accounts follow their users: registered → open, disabled → suspended, enabled → active, deleted →
 * closed, in whatever order the events arrive (domain/account-lifecycle.ts).
 */
export function userLifecycleConsumer(accounts: AccountStore): ServiceConsumer {
  return {
    // The name keys processed_messages: stable across deploys, and shared by every instance.
    consumerName: userLifecycleQueue,
    queue: userLifecycleQueue,
    routingKeys: lifecycleEventTypes,
    handler: (envelope, tx) => applyLifecycleEvents(accounts, [envelope], tx),
    batchHandler: (envelopes, tx) => applyLifecycleEvents(accounts, envelopes, tx),
    maxAttempts: lifecycleMaxAttempts,
    backoffMs: lifecycleBackoffMs,
  };
}
