import type { DataSource, EntityManager } from 'typeorm';
import type { Logger as PinoLogger } from 'pino';
import type { EventEnvelope } from '@platform/contracts';
import { backoffDelay, pause } from './backoff.js';
import type { OutboxMetrics } from '../metrics/outbox-metrics.js';
import type { EventPublisher } from './event-publisher.js';
import { OutboxListener } from './outbox-listener.js';
import { PublishError } from './publish-error.js';

type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface OutboxRelayOptions {
  dataSource: DataSource;
  publisher: EventPublisher;
  logger: Logger;
  /**
   * How often to look for new events when the outbox was empty. A commit ends the wait early when
   * the relay is listening (`listen`); the poll is what remains when it is not.
   */
  pollIntervalMs?: number;
  batchSize?: number;
  /** LISTEN for the outbox trigger's notifications on a connection of its own (default true). */
  listen?: boolean;
  /** Upper bound for backing off after failures, both for the relay and for one stuck event. */
  maxBackoffMs?: number;
  /** Counts published and failed events. */
  metrics?: OutboxMetrics;
}

interface OutboxRow {
  id: string;
  payload: EventEnvelope;
  attempts: number;
}

interface BatchOutcome {
  selected: number;
  published: number;
  brokerUnavailable: boolean;
}

const maxErrorLength = 2000;

/**
 * Moves committed outbox rows to the broker. Each batch runs in one transaction that locks its
 * rows (FOR UPDATE SKIP LOCKED), so relays in several replicas take disjoint batches; a row is
 * marked published only after the broker confirmed it, so a crash or outage at any point leaves
 * it to be published again later: at least once, never lost. Consumers dedupe by event id.
 *
 * It looks for rows when the outbox trigger notifies a commit (on a connection that LISTENs) and
 * every `pollIntervalMs` regardless, so a lost connection or notification only delays events.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly databaseBackoff: { initialMs: number; maxMs: number };
  private readonly rowBackoff: { initialMs: number; maxMs: number };
  private stopping: AbortController | undefined;
  private running: Promise<void> | undefined;
  /** Ends the current wait early: the publisher has a fresh channel, or (idle waits only) a commit. */
  private wake: AbortController | undefined;
  private woken = false;
  /** An outbox commit was notified since the last batch started. */
  private notified = false;
  /** The current wait is the idle poll, which a notified commit ends. */
  private idle = false;
  private unsubscribe: (() => void) | undefined;
  private readonly listener: OutboxListener | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = options.logger;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 500;
    const maxMs = options.maxBackoffMs ?? 30_000;
    this.backoff = { initialMs: Math.max(this.pollIntervalMs, 100), maxMs };
    // A failed batch means the database is away (or failing over). Asking again costs one query,
    // so the wait stays short: the outbox drains within about 2 s of the database's return.
    this.databaseBackoff = { initialMs: this.backoff.initialMs, maxMs: Math.min(maxMs, 2_000) };
    // A message-specific failure (no queue bound yet, nack) rarely clears within milliseconds.
    this.rowBackoff = { initialMs: Math.min(1000, maxMs), maxMs };
    if (options.listen ?? true) {
      this.listener = new OutboxListener({
        dataSource: options.dataSource,
        logger: options.logger,
        onNotify: () => this.notify(),
        backoff: { initialMs: Math.min(1000, maxMs), maxMs },
      });
    }
  }

  start(): void {
    if (this.running) return;
    const stopping = new AbortController();
    this.stopping = stopping;
    // Whatever the relay is waiting for (the broker, a backoff), a new channel means the events
    // held back can go now: the outbox drains as soon as the broker is back, not a backoff later.
    this.unsubscribe = this.options.publisher.onReady(() => {
      this.woken = true;
      this.wake?.abort();
    });
    this.running = this.loop(stopping.signal);
    this.listener?.start();
  }

  /**
   * Stops polling and listening; resolves once the batch in progress (if any) has committed or
   * rolled back and the listening connection is back in the pool.
   */
  async stop(): Promise<void> {
    this.stopping?.abort();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([this.running, this.listener?.stop()]);
    this.running = undefined;
    this.stopping = undefined;
  }

  /** A commit added outbox rows: look for them now if the relay is idle, else right after this batch. */
  private notify(): void {
    this.notified = true;
    if (this.idle) this.wake?.abort();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      if (this.woken) {
        this.woken = false;
        failures = 0;
      }
      // With the broker gone every publish would fail: wait for it without touching the table.
      if (!this.options.publisher.isReady()) {
        await this.nap(this.pollIntervalMs, signal);
        continue;
      }
      let outcome: BatchOutcome;
      // Commits notified from here on may be too late for this batch's snapshot: they get another.
      this.notified = false;
      try {
        outcome = await this.relayBatch();
      } catch (error) {
        failures += 1;
        const delayMs = backoffDelay(failures, this.databaseBackoff);
        this.logger.error({ err: error, delayMs }, 'outbox relay batch failed; backing off');
        await this.nap(delayMs, signal);
        continue;
      }
      if (outcome.brokerUnavailable) {
        failures += 1;
        await this.nap(backoffDelay(failures, this.backoff), signal);
        continue;
      }
      failures = 0;
      // A full batch means more are probably waiting: carry on without sleeping.
      if (outcome.selected < this.batchSize) await this.nap(this.pollIntervalMs, signal, { idle: true });
    }
  }

  /**
   * Waits `ms`, or less when the relay stops or the publisher gets a new channel; an idle wait also
   * ends at a notified commit. Backoffs do not: commits keep coming while the broker is away.
   */
  private async nap(ms: number, signal: AbortSignal, { idle = false } = {}): Promise<void> {
    if (this.woken || (idle && this.notified)) return;
    const wake = new AbortController();
    this.wake = wake;
    this.idle = idle;
    try {
      await pause(ms, AbortSignal.any([signal, wake.signal]));
    } finally {
      this.idle = false;
      if (this.wake === wake) this.wake = undefined;
    }
  }

  private relayBatch(): Promise<BatchOutcome> {
    return this.options.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, payload, attempts FROM outbox_events
          WHERE published_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= now())
          ORDER BY created_at, id
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) return { selected: 0, published: 0, brokerUnavailable: false };

      // Published concurrently but handed to the channel in row order; confirms arrive together.
      const results = await Promise.allSettled(
        rows.map((row) => this.options.publisher.publish(row.payload)),
      );
      const published: string[] = [];
      let brokerUnavailable = false;
      for (const [index, result] of results.entries()) {
        const row = rows[index]!;
        if (result.status === 'fulfilled') {
          published.push(row.id);
          this.options.metrics?.published(row.payload.type);
          continue;
        }
        this.options.metrics?.failed(result.reason instanceof PublishError ? result.reason.failure : 'error');
        const unavailable = result.reason instanceof PublishError && result.reason.brokerUnavailable;
        brokerUnavailable ||= unavailable;
        await this.recordFailure(manager, row, result.reason, unavailable);
      }
      if (published.length > 0) {
        await manager.query(
          `UPDATE outbox_events SET published_at = now(), next_attempt_at = NULL WHERE id = ANY($1::uuid[])`,
          [published],
        );
        this.logger.debug({ count: published.length }, 'published outbox events');
      }
      return { selected: rows.length, published: published.length, brokerUnavailable };
    });
  }

  /**
   * A failure caused by this event (unroutable, nacked) delays only this row; one caused by the
   * broker being away does not, so everything goes out as soon as the broker is back.
   */
  private async recordFailure(
    manager: EntityManager,
    row: OutboxRow,
    error: unknown,
    brokerUnavailable: boolean,
  ): Promise<void> {
    const attempts = row.attempts + 1;
    const message = (error instanceof Error ? error.message : String(error)).slice(0, maxErrorLength);
    const delayMs = brokerUnavailable ? 0 : backoffDelay(attempts, this.rowBackoff);
    await manager.query(
      `UPDATE outbox_events
          SET attempts = $2, last_error = $3,
              next_attempt_at = CASE WHEN $4::int > 0 THEN now() + $4::int * interval '1 millisecond' END
        WHERE id = $1`,
      [row.id, attempts, message, delayMs],
    );
    const log = { eventId: row.id, type: row.payload.type, attempts, err: error };
    if (brokerUnavailable)
      this.logger.warn(log, 'could not publish an outbox event; the broker is unavailable');
    else this.logger.error({ ...log, retryInMs: delayMs }, 'could not publish an outbox event; will retry');
  }
}
