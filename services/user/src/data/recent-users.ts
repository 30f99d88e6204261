import type { CacheInvalidations, Logger } from '@platform/kit';
import type { UserRecord } from '../domain/user-store.js';

export interface RecentUsersOptions {
  /** Tells every replica, this one included, to drop a user whose row changed. */
  readonly invalidations: CacheInvalidations;
  readonly logger: Logger;
  /** How long a row read may be answered from memory; bounds staleness when Redis is away. */
  readonly forMs?: number;
  readonly max?: number;
}

/**
 * The users' rows as this replica last read them, by subject: every authenticated route reads the
 * caller's row, and most of those reads find what the last one found.
 *
 * Coherent across replicas: whoever commits a change to a row calls `changed`, which publishes the
 * subject and every replica drops it. A read that overlapped an invalidation is not remembered (the
 * generation moved on while it ran), so an old row cannot be stored after the drop that should
 * have removed it.
 */
export class RecentUsers {
  private readonly entries = new Map<string, { user: UserRecord; until: number }>();
  private readonly forMs: number;
  private readonly max: number;
  private generation = 0;

  constructor(private readonly options: RecentUsersOptions) {
    this.forMs = options.forMs ?? 10_000;
    this.max = options.max ?? 10_000;
    options.invalidations.subscribe({
      invalidate: (subject) => this.drop(subject),
      invalidateAll: () => {
        this.generation += 1;
        this.entries.clear();
      },
    });
  }

  get(subject: string, now = Date.now()): UserRecord | undefined {
    const entry = this.entries.get(subject);
    return entry !== undefined && now < entry.until ? entry.user : undefined;
  }

  /** Taken before a read; `remember` keeps the read only if nothing was dropped meanwhile. */
  readStarted(): number {
    return this.generation;
  }

  remember(user: UserRecord, startedAt: number): void {
    if (startedAt !== this.generation) return;
    this.entries.delete(user.subject);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(user.subject, { user, until: Date.now() + this.forMs });
  }

  /**
   * A committed change to the subject's row: dropped here at once, and on every other replica
   * through Redis. Best effort: the change is already made, so Redis being down must not fail it;
   * the entries' lifetime bounds what is left.
   */
  changed(subject: string): void {
    this.drop(subject);
    this.options.invalidations.publish(subject).catch((error: unknown) => {
      this.options.logger.warn({ err: error, subject }, 'could not tell the other replicas to drop a user');
    });
  }

  private drop(subject: string): void {
    this.generation += 1;
    this.entries.delete(subject);
  }
}
