import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';
import type { RedisBroadcast } from '../redis/redis-broadcast.js';
import { parseRevocationEntry, type RevocationEntry, RevokedSubjects } from './revoked-subjects.js';

/** Redis keys and channel of the list; `v1` changes when the stored shape does. */
const keyPrefix = 'revoked-subjects:v1:';
export const revocationChannel = 'revoked-subjects:v1';
const reloadRetryMs = 1_000;

/**
 * Sets the subject's entry unless Redis holds a newer one (a larger `at`), and publishes it in the
 * same step, so the channel's order is the order of the stored states.
 * KEYS[1] entry key; ARGV: entry JSON, its `at`, time to live in ms, channel.
 */
const writeIfNewer = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and tonumber(stored.at) and tonumber(stored.at) > tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[1])
return 1
`;

/** What `authenticate` asks on every request. */
export interface RevocationCheck {
  isRevoked(subject: string): boolean;
}

export interface RevocationListOptions {
  /** The service's command connection (writes, reloads). */
  readonly redis: Redis;
  readonly broadcast: RedisBroadcast;
  /** How long an entry is kept: at least the longest access-token lifetime. */
  readonly ttlSeconds: number;
  readonly logger: Logger;
  readonly registry?: Registry;
}

/**
 * Subjects whose still-valid access tokens must be refused (a disabled or deleted user), shared by
 * every replica of every service through Redis.
 *
 * - Keyed by `sub`, not by token: an entry blocks every token of the subject until it is lifted
 *   (the user is enabled again) or expires. It expires after `ttlSeconds` (the longest token
 *   lifetime): by then every token issued before the revocation has expired, and a disabled or
 *   deleted user cannot get a new one from Keycloak. Deliberately simple: no per-token `iat`
 *   comparison, so a user re-enabled with `lift` is accepted again at once.
 * - Each process holds the list in memory (loaded with SCAN at start and after every reconnect of
 *   its subscription, kept current by the channel's messages): the per-request check is a Map
 *   lookup, never a Redis round trip.
 * - While Redis is unreachable the process keeps the last list it knew and goes on checking against
 *   it (a revocation made meanwhile cannot reach it: it cannot be written either, and the writer's
 *   event is retried until it can). `app_revocation_list_in_sync` is 0 and a warning is logged
 *   until the subscription is back and the list has been reloaded.
 */
export class RevocationList implements RevocationCheck {
  private readonly subjects = new RevokedSubjects();
  private loadedOnce = false;
  private inSync = false;
  private reloads = 0;

  constructor(private readonly options: RevocationListOptions) {
    options.broadcast.listen(revocationChannel, {
      message: (payload) => this.onMessage(payload),
      resync: () => this.reload(),
    });
    if (options.registry) this.observe(options.registry);
  }

  isRevoked(subject: string): boolean {
    return this.subjects.has(subject);
  }

  /** Whether the list has been read from Redis at least once since the process started. */
  get loaded(): boolean {
    return this.loadedOnce;
  }

  /** Whether the subscription is up and the list was reloaded since it last came up. */
  get synchronized(): boolean {
    return this.inSync && this.options.broadcast.isSubscribed(revocationChannel);
  }

  /**
   * Refuses the subject's tokens everywhere. `at` is when the revocation happened (the event's
   * time). Rejects when Redis is unreachable, so the caller (an event consumer) retries.
   */
  revoke(subject: string, at = Date.now()): Promise<boolean> {
    return this.write({ sub: subject, state: 'revoked', at, until: Date.now() + this.ttlMs });
  }

  /**
   * Accepts the subject's tokens again. The lifted state is kept as long as a revocation would be,
   * so an older revocation that arrives late does not come back.
   */
  lift(subject: string, at = Date.now()): Promise<boolean> {
    return this.write({ sub: subject, state: 'lifted', at, until: Date.now() + this.ttlMs });
  }

  private get ttlMs(): number {
    return this.options.ttlSeconds * 1000;
  }

  /** True when written, false when Redis held a newer state for the subject. */
  private async write(entry: RevocationEntry): Promise<boolean> {
    const written = await this.options.redis.eval(
      writeIfNewer,
      1,
      keyPrefix + entry.sub,
      JSON.stringify(entry),
      String(entry.at),
      String(this.ttlMs),
      revocationChannel,
    );
    return written === 1;
  }

  private onMessage(payload: string): void {
    const entry = parseRevocationEntry(payload);
    if (entry === undefined) {
      this.options.logger.warn('ignored a malformed revocation message');
      return;
    }
    this.subjects.apply(entry);
  }

  private async reload(): Promise<void> {
    const attempt = ++this.reloads;
    this.inSync = false;
    this.subjects.beginReload();
    try {
      const entries = await this.readAll();
      if (attempt !== this.reloads) return;
      this.subjects.finishReload(entries);
      this.loadedOnce = true;
      this.inSync = true;
      this.options.logger.info({ revoked: this.subjects.size }, 'revocation list loaded');
    } catch (error) {
      if (attempt !== this.reloads) return;
      this.subjects.abandonReload();
      this.options.logger.warn({ err: error }, 'revocation list not reloaded; keeping the last known list');
      // Still subscribed (a lost subscription resyncs by itself): try again shortly.
      setTimeout(() => {
        if (attempt === this.reloads && this.options.broadcast.isSubscribed(revocationChannel)) {
          void this.reload();
        }
      }, reloadRetryMs).unref();
    }
  }

  private async readAll(): Promise<RevocationEntry[]> {
    const { redis } = this.options;
    const entries: RevocationEntry[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      for (const value of await redis.mget(...keys)) {
        const entry = value === null ? undefined : parseRevocationEntry(value);
        if (entry !== undefined) entries.push(entry);
      }
    } while (cursor !== '0');
    return entries;
  }

  private observe(registry: Registry): void {
    const subjects = this.subjects;
    const synchronized = () => this.synchronized;
    new Gauge({
      name: 'app_revocation_list_subjects',
      help: 'Subjects on the in-memory revocation list, whose tokens are refused.',
      registers: [registry],
      collect() {
        this.set(subjects.size);
      },
    });
    new Gauge({
      name: 'app_revocation_list_in_sync',
      help: '1 while the revocation list is subscribed to Redis and reloaded since; 0 while it serves the last known list.',
      registers: [registry],
      collect() {
        this.set(synchronized() ? 1 : 0);
      },
    });
  }
}
