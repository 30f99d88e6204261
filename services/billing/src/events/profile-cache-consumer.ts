import { EventTypes, parseEventData } from '@platform/contracts';
import type { ServiceConsumer } from '@platform/kit';
import type { ProfileDirectory } from '../domain/profile-directory.js';

export const profileCacheQueue = 'billing-service.profile-cache';

/** Every event after which the user service would describe the user differently. */
const profileChangingEvents = [
  EventTypes.userProfileUpdated,
  EventTypes.userUpdated,
  EventTypes.userDisabled,
  EventTypes.userEnabled,
  EventTypes.userDeleted,
] as const;
type ProfileChangingEvent = (typeof profileChangingEvents)[number];

const isProfileChanging = (type: string): type is ProfileChangingEvent =>
  (profileChangingEvents as readonly string[]).includes(type);

/** A profile change drops the cached copy; the next read fetches the new one from the user service. */
export function profileCacheConsumer(profiles: ProfileDirectory): ServiceConsumer {
  return {
    consumerName: profileCacheQueue,
    queue: profileCacheQueue,
    routingKeys: profileChangingEvents,
    handler: async (envelope) => {
      if (!isProfileChanging(envelope.type)) {
        throw new Error(`${profileCacheQueue} does not handle ${envelope.type}`);
      }
      const { data } = parseEventData(envelope, envelope.type);
      await profiles.forget(data.userId);
    },
  };
}
