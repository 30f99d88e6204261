import type { CacheInvalidations, Logger } from '@platform/kit';

export interface RecentEntriesOptions {
  /** Tells every replica, this one included, to drop an entry whose source changed. */
  readonly invalidations: CacheInvalidations;
  readonly logger: Logger;
  /** What an entry is, for the warning when Redis is away: `a user`, `an identity`. */
  readonly what: string;
  /** How long a read may be answered from memory; bounds staleness when Redis is away. */
  readonly forMs?: number;
  readonly max?: number;
}

/**
 * What this replica read lately, by key, for `forMs`; at most `max` entries, the oldest dropped
 * first. The user service keeps the users' rows and their Keycloak identities this way: every
 * authenticated route reads the caller's, and most of those reads find what the last one found.
 *
 * Coherent across replicas: whoever changes an entry's source calls `changed`, which publishes the
 * key, and every replica drops it. A read that overlapped a drop is not remembered (the generation
 * moved on while it ran), so a value read before a change cannot be stored after the drop that
 * should have removed it. A replica that lost its subscription drops everything.
 */
export class RecentEntries<Value> {
  private readonly entries = new Map<string, { value: Value; until: number }>();
  private readonly forMs: number;
  private readonly max: number;
  private generation = 0;

  constructor(private readonly options: RecentEntriesOptions) {
    this.forMs = options.forMs ?? 10_000;
    this.max = options.max ?? 10_000;
    options.invalidations.subscribe({
      invalidate: (key) => this.drop(key),
      invalidateAll: () => {
        this.generation += 1;
        this.entries.clear();
      },
    });
  }

  get(key: string, now = Date.now()): Value | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && now < entry.until ? entry.value : undefined;
  }

  /** Taken before a read; `remember` keeps the read only if nothing was dropped meanwhile. */
  readStarted(): number {
    return this.generation;
  }

  remember(key: string, value: Value, startedAt: number): void {
    if (startedAt !== this.generation) return;
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, until: Date.now() + this.forMs });
  }

  /** Dropped here only, e.g. before this replica's own write, which then calls `changed`. */
  drop(key: string): void {
    this.generation += 1;
    this.entries.delete(key);
  }

  /**
   * A committed change to the key's source: dropped here at once, and on every other replica
   * through Redis. Best effort: the change is already made, so Redis being down must not fail it;
   * the entries' lifetime bounds what is left.
   */
  async changed(key: string): Promise<void> {
    this.drop(key);
    await this.options.invalidations.publish(key).catch((error: unknown) => {
      this.options.logger.warn(
        { err: error, key },
        `could not tell the other replicas to drop ${this.options.what}`,
      );
    });
  }
}
