/** Tells a service's replicas to drop cached entries, for tests that change its rows behind its back. */
import {
  CacheInvalidations,
  closeRedisClient,
  createLogger,
  createRedisClient,
  RedisBroadcast,
} from '@platform/kit';
import { environment } from './stack.js';

/**
 * Publishes `keys` on the kit's invalidation channel of `cache` (e.g. `user-service:users`), as
 * the service itself does after a change it commits.
 */
export async function invalidateCached(cache: string, keys: readonly string[]): Promise<void> {
  const logger = createLogger({ name: 'test-cache-invalidations', level: 'silent' });
  const url = `redis://${environment.redis.host}:${environment.redis.port}`;
  const redis = createRedisClient({ url, connectionName: 'test-support', logger });
  // Never started: only publishing is used.
  const broadcast = new RedisBroadcast({ url, publisher: redis, connectionName: 'test-support', logger });
  try {
    const invalidations = new CacheInvalidations(broadcast, cache);
    for (const key of keys) await invalidations.publish(key);
  } finally {
    await closeRedisClient(redis);
  }
}
