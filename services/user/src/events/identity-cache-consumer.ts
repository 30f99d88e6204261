import { EventTypes, parseEventData } from '@platform/contracts';
import type { CacheInvalidations, ServiceConsumer } from '@platform/kit';

/** The queue (and the consumer's name in processed_messages): keep both stable across deploys. */
export const identityCacheQueue = 'user-service.identity-cache';

/** Every event after which Keycloak describes the user differently than a cached identity. */
const identityChangingEvents = [
  EventTypes.userUpdated,
  EventTypes.userProfileUpdated,
  EventTypes.userDisabled,
  EventTypes.userEnabled,
  EventTypes.userDeleted,
] as const;
type IdentityChangingEvent = (typeof identityChangingEvents)[number];

const isIdentityChanging = (type: string): type is IdentityChangingEvent =>
  (identityChangingEvents as readonly string[]).includes(type);

/**
 * Tells every replica to drop the user's cached identity. A change made through another replica,
 * the auth service or Keycloak's console arrives here as an event (at least once, through the
 * outbox), so no replica serves it stale for the cache's whole lifetime. A Redis failure fails the
 * message, which is then retried.
 */
export function identityCacheConsumer(identityCache: CacheInvalidations): ServiceConsumer {
  return {
    consumerName: identityCacheQueue,
    queue: identityCacheQueue,
    routingKeys: identityChangingEvents,
    handler: async (envelope) => {
      if (!isIdentityChanging(envelope.type)) {
        throw new Error(`${identityCacheQueue} does not handle ${envelope.type}`);
      }
      const { data } = parseEventData(envelope, envelope.type);
      await identityCache.publish(data.userId);
    },
  };
}
