import type { RedisBroadcast } from './redis-broadcast.js';

export interface InvalidationHandlers {
  /** Drop what is cached under `key`. */
  invalidate(key: string): void;
  /** Drop everything: messages may have been missed while the subscription was down. */
  invalidateAll(): void;
}

/**
 * Keeps an in-process cache coherent across a service's replicas: whoever changes what an entry
 * holds publishes its key, and every replica (the publisher's included) drops it. Redis pub/sub
 * keeps nothing for a subscriber that is away, so a replica that lost its subscription drops its
 * whole cache when it is back. The cache's own TTL still bounds staleness if Redis itself is down.
 */
export class CacheInvalidations {
  /** @param cache names the cache, e.g. `user-service:identities`: one channel per cache. */
  constructor(
    private readonly broadcast: RedisBroadcast,
    cache: string,
  ) {
    this.channel = `cache-invalidations:${cache}`;
  }

  readonly channel: string;

  /** Rejects when Redis is unreachable; the caller decides whether that may fail its work. */
  publish(key: string): Promise<void> {
    return this.broadcast.publish(this.channel, key);
  }

  subscribe(handlers: InvalidationHandlers): void {
    this.broadcast.listen(this.channel, {
      message: (key) => handlers.invalidate(key),
      resync: () => handlers.invalidateAll(),
    });
  }
}
