import { z } from 'zod';

/**
 * One subject's state on the revocation list, as stored in Redis and sent on its channel. `at` is
 * when the change happened (the event's time), so a change that arrives late (a retried event)
 * never overrides a newer one; `until` is when the entry stops mattering.
 */
export const revocationEntrySchema = z.object({
  sub: z.string().min(1),
  state: z.enum(['revoked', 'lifted']),
  at: z.number().int(),
  until: z.number().int(),
});

export type RevocationEntry = z.output<typeof revocationEntrySchema>;

/** Parses a stored value or a message; anything else is ignored by the caller. */
export function parseRevocationEntry(json: string): RevocationEntry | undefined {
  try {
    const parsed = revocationEntrySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The revoked subjects one process knows, in memory, so the check on every request is a Map
 * lookup. Filled from Redis by a reload and kept current by messages. A reload takes a while
 * (SCAN), and messages keep arriving meanwhile: they are applied at once and again on top of the
 * loaded snapshot, so a revocation or lift published during the reload is never undone by a
 * snapshot read before it.
 */
export class RevokedSubjects {
  private entries = new Map<string, number>();
  private duringReload: RevocationEntry[] | undefined;

  has(sub: string, now = Date.now()): boolean {
    const until = this.entries.get(sub);
    if (until === undefined) return false;
    if (now < until) return true;
    this.entries.delete(sub);
    return false;
  }

  apply(entry: RevocationEntry, now = Date.now()): void {
    this.duringReload?.push(entry);
    applyTo(this.entries, entry, now);
  }

  beginReload(): void {
    this.duringReload = [];
  }

  /** Replaces what is known with `snapshot`, then replays what arrived since `beginReload`. */
  finishReload(snapshot: Iterable<RevocationEntry>, now = Date.now()): void {
    const replay = this.duringReload ?? [];
    this.duringReload = undefined;
    const next = new Map<string, number>();
    for (const entry of snapshot) applyTo(next, entry, now);
    for (const entry of replay) applyTo(next, entry, now);
    this.entries = next;
  }

  /** A reload failed: keep the last known list (and the messages already applied to it). */
  abandonReload(): void {
    this.duringReload = undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}

function applyTo(entries: Map<string, number>, entry: RevocationEntry, now: number): void {
  if (entry.state === 'revoked' && entry.until > now) entries.set(entry.sub, entry.until);
  else entries.delete(entry.sub);
}
