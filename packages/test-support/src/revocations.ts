/** The platform's token revocation list (the kit's RevocationList on the stack's Redis), for tests. */
import {
  closeRedisClient,
  createLogger,
  createRedisClient,
  RedisBroadcast,
  RevocationList,
} from '@platform/kit';
import { environment } from './stack.js';

/**
 * Lets `subject`'s tokens through the revocation list for the next `forMs`, whatever lifecycle
 * events a test publishes meanwhile. For tests of a service's own refusal of a suspended or deleted
 * account (its defence when the list cannot help, e.g. while Redis is away), which the list would
 * otherwise pre-empt with a 401. Written as a lift dated `forMs` ahead: every revocation the auth
 * service writes for an event published before then is older, so it loses.
 */
export async function exemptFromRevocation(subject: string, forMs = 120_000): Promise<void> {
  const logger = createLogger({ name: 'test-revocations', level: 'silent' });
  const url = `redis://${environment.redis.host}:${environment.redis.port}`;
  const redis = createRedisClient({ url, connectionName: 'test-support', logger });
  // Never started: only the list's write is used.
  const broadcast = new RedisBroadcast({ url, publisher: redis, connectionName: 'test-support', logger });
  try {
    const list = new RevocationList({ redis, broadcast, ttlSeconds: Math.ceil(forMs / 1000), logger });
    await list.lift(subject, Date.now() + forMs);
  } finally {
    await closeRedisClient(redis);
  }
}
