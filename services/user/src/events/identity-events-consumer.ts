import type { ServiceConsumer } from '@platform/kit';
import { applyIdentityEvents, identityEventTypes } from '../domain/apply-identity-event.js';
import type { UserStore } from '../domain/user-store.js';

/** The queue (and the consumer's name in processed_messages): keep both stable across deploys. */
export const identityEventsQueue = 'user-service.identity-events';

/** The auth service's user-lifecycle events, applied to the local rows. */
export function identityEventsConsumer(users: UserStore): ServiceConsumer {
  return {
    consumerName: identityEventsQueue,
    queue: identityEventsQueue,
    routingKeys: identityEventTypes,
    handler: (envelope, tx) => applyIdentityEvents(users, [envelope], tx),
    batchHandler: (envelopes, tx) => applyIdentityEvents(users, envelopes, tx),
  };
}
