/**
 * The revocation list and cache invalidations on the stack's real Redis, as two replicas see them:
 * each "replica" is a RevocationList (or CacheInvalidations) with its own connections.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from '@platform/test-support/eventually';
import { environment } from '@platform/test-support/stack';
import { RevocationList } from '../src/auth/revocation-list.js';
import { createLogger } from '../src/logging/logger.js';
import { CacheInvalidations } from '../src/redis/cache-invalidations.js';
import { RedisBroadcast } from '../src/redis/redis-broadcast.js';
import { closeRedisClient, createRedisClient } from '../src/redis/redis-client.js';

const url = `redis://${environment.redis.host}:${environment.redis.port}`;
const logger = createLogger({ name: 'revocation-list-test', level: 'silent' });
const admin = new Redis(url);
const started: { broadcast: RedisBroadcast; redis: Redis }[] = [];

/** One replica's connections, named so the test can cut its subscription. */
function replicaConnections(name: string) {
  const connectionName = `revocation-test-${name}-${randomUUID().slice(0, 8)}`;
  const redis = createRedisClient({ url, connectionName, logger });
  const broadcast = new RedisBroadcast({ url, publisher: redis, connectionName, logger });
  started.push({ broadcast, redis });
  return { redis, broadcast, connectionName };
}

function replicaList(name: string) {
  const connections = replicaConnections(name);
  const list = new RevocationList({ ...connections, ttlSeconds: 30, logger });
  connections.broadcast.start();
  return { list, ...connections };
}

/** Closes the replica's subscriber connection from the server side, as a network cut would. */
async function cutSubscription(connectionName: string): Promise<void> {
  const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  const line = clients.split('\n').find((entry) => entry.includes(` name=${connectionName}:broadcast `));
  const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
  expect(id, `the subscriber connection of ${connectionName}`).toBeDefined();
  expect(await admin.client('KILL', 'ID', id!)).toBe(1);
}

async function measure(condition: () => boolean, what: string): Promise<number> {
  const startedAt = performance.now();
  await eventually(async () => (condition() ? true : undefined), { timeoutMs: 2_000, intervalMs: 1, what });
  return performance.now() - startedAt;
}

afterEach(async () => {
  for (const { broadcast, redis } of started.splice(0)) {
    await broadcast.stop();
    await closeRedisClient(redis);
  }
});

afterAll(() => {
  admin.disconnect();
});

describe('the revocation list on Redis', () => {
  it('when one replica revokes a subject, then another refuses it within milliseconds, and accepts it again once lifted', async () => {
    const a = replicaList('a');
    const b = replicaList('b');
    await eventually(async () => (a.list.loaded && b.list.loaded ? true : undefined), {
      what: 'both loaded',
    });
    const subject = randomUUID();

    expect(await a.list.revoke(subject)).toBe(true);
    const revokedAfterMs = await measure(() => b.list.isRevoked(subject), 'the revocation on b');
    expect(a.list.isRevoked(subject)).toBe(true);

    expect(await a.list.lift(subject)).toBe(true);
    const liftedAfterMs = await measure(() => !b.list.isRevoked(subject), 'the lift on b');

    console.log(
      `revocation seen by the other replica after ${revokedAfterMs.toFixed(1)} ms, lift after ${liftedAfterMs.toFixed(1)} ms`,
    );
    expect(revokedAfterMs).toBeLessThan(500);
  });

  it('when a replica starts, then it loads the revocations made before it', async () => {
    const a = replicaList('a');
    const subject = randomUUID();
    await a.list.revoke(subject);

    const late = replicaList('late');
    await eventually(async () => (late.list.loaded ? true : undefined), { what: 'the late replica loaded' });

    expect(late.list.isRevoked(subject)).toBe(true);
    expect(await admin.pttl(`revoked-subjects:v1:${subject}`)).toBeGreaterThan(25_000);
  });

  it('when a replica lost its subscription while a subject was revoked, then it keeps its last list meanwhile and reloads it on reconnect', async () => {
    const writer = replicaList('writer');
    const reader = replicaList('reader');
    await eventually(async () => (writer.list.loaded && reader.list.loaded ? true : undefined), {
      what: 'both loaded',
    });
    const known = randomUUID();
    await writer.list.revoke(known);
    await measure(() => reader.list.isRevoked(known), 'the revocation before the cut');
    const missed = randomUUID();

    await cutSubscription(reader.connectionName);
    // The reader reconnects after at least 50 ms (ioredis's first retry): this message is not delivered to it.
    await writer.list.revoke(missed);
    // Cut off, the reader still enforces the last list it knew.
    expect(reader.list.isRevoked(known)).toBe(true);
    expect(reader.list.isRevoked(missed)).toBe(false);

    const reloadedAfterMs = await measure(() => reader.list.isRevoked(missed), 'the reload after reconnect');
    console.log(`revocation missed during a cut subscription seen after ${reloadedAfterMs.toFixed(0)} ms`);
    expect(reader.list.synchronized).toBe(true);
  });

  it('when an older change arrives after a newer one, then it does not undo it', async () => {
    const a = replicaList('a');
    await eventually(async () => (a.list.loaded ? true : undefined), { what: 'loaded' });
    const subject = randomUUID();
    const now = Date.now();

    expect(await a.list.revoke(subject, now)).toBe(true);
    expect(await a.list.lift(subject, now - 1_000)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.list.isRevoked(subject)).toBe(true);

    expect(await a.list.lift(subject, now + 1_000)).toBe(true);
    expect(await a.list.revoke(subject, now)).toBe(false);
    await measure(() => !a.list.isRevoked(subject), 'the newer lift');
  });
});

describe('cache invalidations on Redis', () => {
  it('when a replica publishes a key, then every replica drops it; after a lost subscription, everything', async () => {
    const cache = `kit-test-${randomUUID().slice(0, 8)}`;
    const a = replicaConnections('a');
    const b = replicaConnections('b');
    const dropped: string[] = [];
    let droppedAll = 0;
    new CacheInvalidations(b.broadcast, cache).subscribe({
      invalidate: (key) => dropped.push(key),
      invalidateAll: () => (droppedAll += 1),
    });
    b.broadcast.start();
    await eventually(async () => (droppedAll === 1 ? true : undefined), { what: 'the first subscription' });

    await new CacheInvalidations(a.broadcast, cache).publish('user-1');
    const droppedAfterMs = await measure(() => dropped.includes('user-1'), 'the invalidation on b');

    await cutSubscription(b.connectionName);
    const clearedAfterMs = await measure(() => droppedAll === 2, 'the full drop after reconnect');
    console.log(
      `invalidation seen by the other replica after ${droppedAfterMs.toFixed(1)} ms; full drop ${clearedAfterMs.toFixed(0)} ms after a cut`,
    );
  });
});
