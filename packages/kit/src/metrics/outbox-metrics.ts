import { Counter, Gauge, type Registry } from 'prom-client';
import type { PublishFailure } from '../messaging/publish-error.js';
import { scrapeTimeRead } from './scrape-time-read.js';

/** What is waiting in the outbox, read from the table itself. */
export interface OutboxBacklog {
  readonly pending: number;
  /** Age of the oldest unpublished event; 0 when nothing waits. */
  readonly oldestAgeSeconds: number;
}

export interface OutboxMetrics {
  published(type: string): void;
  failed(reason: PublishFailure | 'error'): void;
  /** Reads the backlog on every scrape, so the figure is exactly as fresh as the scrape. */
  observeBacklog(read: () => Promise<OutboxBacklog>): void;
}

const failureReasons: readonly (PublishFailure | 'error')[] = [
  'not-connected',
  'channel-closed',
  'nacked',
  'unroutable',
  'timeout',
  'error',
];

export function createOutboxMetrics(registry: Registry): OutboxMetrics {
  let readBacklog: (() => Promise<OutboxBacklog>) | undefined;
  const published = new Counter({
    name: 'app_outbox_events_published_total',
    help: 'Outbox events the broker confirmed, by event type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  // By reason only, each starting at zero: a failure rate exists (and is 0) before the first
  // failure. The failing event itself is in the log and in its outbox row's last_error.
  const failures = new Counter({
    name: 'app_outbox_publish_failures_total',
    help: 'Failed publishes of outbox events (each is retried), by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of failureReasons) failures.inc({ reason }, 0);
  // Gauges without a reading (no source yet, or the database did not answer) report no sample:
  // a stale figure would look healthy.
  const fill = async (gauge: Gauge, pick: (backlog: OutboxBacklog) => number) => {
    if (!readBacklog) return;
    try {
      gauge.set(pick(await readBacklog()));
    } catch {
      gauge.reset();
    }
  };
  const pending: Gauge = new Gauge({
    name: 'app_outbox_pending_events',
    help: 'Events committed to the outbox and not yet published.',
    registers: [registry],
    collect: () => fill(pending, (backlog) => backlog.pending),
  });
  const oldestAge: Gauge = new Gauge({
    name: 'app_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest unpublished outbox event (0 when the outbox is empty).',
    registers: [registry],
    collect: () => fill(oldestAge, (backlog) => backlog.oldestAgeSeconds),
  });
  return {
    published: (type) => published.inc({ type }),
    failed: (reason) => failures.inc({ reason }),
    observeBacklog(read) {
      readBacklog = scrapeTimeRead(read, 2_000);
    },
  };
}
