import { EventTypes, parseEventData } from '@platform/contracts';
import type { RevocationList, ServiceConsumer } from '@platform/kit';

/** The queue (and the consumer's name in processed_messages): keep both stable across deploys. */
export const revocationsQueue = 'auth-service.revocations';

/** What each lifecycle event does to the user's tokens. */
const revocationEvents = {
  [EventTypes.userDisabled]: 'revoke',
  [EventTypes.userDeleted]: 'revoke',
  [EventTypes.userEnabled]: 'lift',
} as const;
type RevocationEvent = keyof typeof revocationEvents;

const isRevocationEvent = (type: string): type is RevocationEvent => Object.hasOwn(revocationEvents, type);

/**
 * Keeps the platform's revocation list in step with the users' state: a disabled or deleted user's
 * still-valid tokens are refused by every service within moments, an enabled user's accepted again.
 * It consumes the events rather than being called by the admin routes, so every source of them
 * (this service's API, Keycloak's own console through the events bridge) reaches it, at least once
 * and never lost: a Redis failure fails the message, which is retried. The event's time orders the
 * writes, so a retried older event cannot undo a newer one.
 */
export function revocationsConsumer(revocations: RevocationList): ServiceConsumer {
  return {
    consumerName: revocationsQueue,
    queue: revocationsQueue,
    routingKeys: Object.keys(revocationEvents),
    handler: async (envelope) => {
      if (!isRevocationEvent(envelope.type)) {
        throw new Error(`${revocationsQueue} does not handle ${envelope.type}`);
      }
      const { data } = parseEventData(envelope, envelope.type);
      const at = Date.parse(envelope.occurredAt);
      if (revocationEvents[envelope.type] === 'revoke') await revocations.revoke(data.userId, at);
      else await revocations.lift(data.userId, at);
    },
  };
}
