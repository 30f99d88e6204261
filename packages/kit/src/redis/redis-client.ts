import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';

export interface RedisClientOptions {
  readonly url: string;
  /** CLIENT SETNAME, so `CLIENT LIST` shows which service holds a connection. */
  readonly connectionName: string;
  readonly logger: Logger;
}

/**
 * The service's Redis connection for commands (caches, the revocation list's writes and reloads,
 * publishing broadcasts). Opens on first use, so building a service does no I/O. Commands fail
 * fast: a slow Redis should cost a caller one short wait, not a queue of them; ioredis reconnects
 * in the background on its own.
 */
export function createRedisClient({ url, connectionName, logger }: RedisClientOptions): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    connectionName,
  });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  return redis;
}

/** Closes a client whether or not it ever connected. */
export async function closeRedisClient(redis: Redis): Promise<void> {
  if (redis.status === 'wait' || redis.status === 'end') {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}
