import type { Logger } from '@platform/kit';
import type { Redis } from 'ioredis';
import { type ProfileDirectory, type UserProfile, userProfileSchema } from '../domain/profile-directory.js';
import type { UserServiceClient } from './user-service-client.js';

/** The Redis key of a user's cached profile; `v1` changes when the cached shape does. */
export const profileCacheKey = (userId: string) => `billing:profile:v1:${userId}`;

export interface CachedProfileDirectoryOptions {
  readonly redis: Redis;
  readonly users: UserServiceClient;
  readonly ttlSeconds: number;
  readonly logger: Logger;
}

/**
 * Profiles from the user service, read through Redis. The TTL bounds how stale a profile can
 * get if an invalidation is ever missed; `user.profile_updated` normally drops the entry at
 * once. The cache only saves calls: when Redis is down, reads go straight to the user service.
 */
export class CachedProfileDirectory implements ProfileDirectory {
  constructor(private readonly options: CachedProfileDirectoryOptions) {}

  async profileOf(userId: string): Promise<UserProfile | null> {
    const cached = await this.readCache(userId);
    if (cached) return cached;
    const profile = await this.options.users.profileBySubject(userId);
    // An unknown user is not cached: the user service may learn about them a moment later.
    if (profile) await this.writeCache(profile);
    return profile;
  }

  /** Unlike reads, an invalidation must not be lost: a Redis failure propagates so the event is retried. */
  async forget(userId: string): Promise<void> {
    await this.options.redis.del(profileCacheKey(userId));
  }

  private async readCache(userId: string): Promise<UserProfile | undefined> {
    try {
      const json = await this.options.redis.get(profileCacheKey(userId));
      if (json === null) return undefined;
      const parsed = userProfileSchema.safeParse(JSON.parse(json));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'profile cache unreadable; asking the user service');
      return undefined;
    }
  }

  private async writeCache(profile: UserProfile): Promise<void> {
    try {
      await this.options.redis.set(
        profileCacheKey(profile.userId),
        JSON.stringify(profile),
        'EX',
        this.options.ttlSeconds,
      );
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not cache a profile');
    }
  }
}
