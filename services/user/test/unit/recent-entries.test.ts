import type { CacheInvalidations, InvalidationHandlers, Logger } from '@platform/kit';
import { describe, expect, it } from 'vitest';
import { RecentEntries } from '../../src/data/recent-entries.js';
import type { UserRecord } from '../../src/domain/user-store.js';

/** The invalidation channel in memory: what one replica publishes, every subscriber gets. */
function inMemoryInvalidations(options: { failing?: boolean } = {}) {
  const subscribers: InvalidationHandlers[] = [];
  const invalidations = {
    subscribe: (handlers: InvalidationHandlers) => void subscribers.push(handlers),
    publish: async (key: string) => {
      if (options.failing) throw new Error('redis is away');
      subscribers.forEach((handlers) => handlers.invalidate(key));
    },
  } as unknown as CacheInvalidations;
  return { invalidations, resync: () => subscribers.forEach((handlers) => handlers.invalidateAll()) };
}

const warnings: unknown[] = [];
const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;

function row(subject: string, version = 1): UserRecord {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    id: `id-${subject}`,
    subject,
    username: subject,
    displayName: null,
    avatarUrl: null,
    status: 'active',
    settings: {},
    createdAt: at,
    updatedAt: at,
    identityEventAt: null,
    version,
  };
}

describe('RecentEntries', () => {
  it('when a row was read, then it is answered from memory until its lifetime ends', () => {
    const { invalidations } = inMemoryInvalidations();
    const recent = new RecentEntries<UserRecord>({ invalidations, logger, what: 'a user', forMs: 1000 });
    recent.remember('a', row('a'), recent.readStarted());

    expect(recent.get('a', Date.now())).toMatchObject({ subject: 'a' });
    expect(recent.get('a', Date.now() + 1001)).toBeUndefined();
  });

  it('when another replica changes the row, then this one drops it', async () => {
    const { invalidations } = inMemoryInvalidations();
    const here = new RecentEntries<UserRecord>({ invalidations, logger, what: 'a user' });
    const there = new RecentEntries<UserRecord>({ invalidations, logger, what: 'a user' });
    here.remember('a', row('a'), here.readStarted());

    await there.changed('a');

    expect(here.get('a')).toBeUndefined();
  });

  it('when a read overlapped an invalidation, then what it read is not remembered', () => {
    const { invalidations } = inMemoryInvalidations();
    const recent = new RecentEntries<UserRecord>({ invalidations, logger, what: 'a user' });
    const startedAt = recent.readStarted();

    void recent.changed('a');
    recent.remember('a', row('a', 1), startedAt);

    expect(recent.get('a')).toBeUndefined();
  });

  it('when the subscription was lost and is back, then everything is dropped', () => {
    const { invalidations, resync } = inMemoryInvalidations();
    const recent = new RecentEntries<UserRecord>({ invalidations, logger, what: 'a user' });
    recent.remember('a', row('a'), recent.readStarted());

    resync();

    expect(recent.get('a')).toBeUndefined();
  });

  it('when Redis is away, then a change still drops the local entry and the failure is logged', async () => {
    const { invalidations } = inMemoryInvalidations({ failing: true });
    const recent = new RecentEntries<UserRecord>({ invalidations, logger, what: 'a user' });
    recent.remember('a', row('a'), recent.readStarted());

    await recent.changed('a');

    expect(recent.get('a')).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it('when the cache is full, then the oldest entry makes room', () => {
    const { invalidations } = inMemoryInvalidations();
    const recent = new RecentEntries<UserRecord>({ invalidations, logger, what: 'a user', max: 2 });
    for (const subject of ['a', 'b', 'c']) recent.remember(subject, row(subject), recent.readStarted());

    expect(recent.get('a')).toBeUndefined();
    expect(recent.get('c')).toBeDefined();
  });
});
