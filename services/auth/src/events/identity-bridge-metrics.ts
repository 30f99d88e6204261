import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BridgedEventType } from '../domain/identity-bridge/identity-decision.js';

export interface IdentityBridgeMetrics {
  /** A cycle committed: what it enqueued, and when. */
  cycleSucceeded(enqueued: readonly { type: BridgedEventType; causedAtMs: number | undefined }[]): void;
  cycleFailed(): void;
}

/**
 * `app_identity_bridge_events_total{type}`: platform events the bridge enqueued;
 * `app_identity_bridge_lag_seconds`: from the Keycloak event to its platform event in the outbox;
 * `app_identity_bridge_last_poll_age_seconds`: since the last cycle that completed (read at scrape,
 * so a stuck bridge shows as a growing age); `app_identity_bridge_poll_failures_total`.
 */
export function createIdentityBridgeMetrics(registry: Registry): IdentityBridgeMetrics {
  const events = new Counter({
    name: 'app_identity_bridge_events_total',
    help: 'Platform events the Keycloak events bridge enqueued, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'app_identity_bridge_lag_seconds',
    help: 'Time from a Keycloak event to its platform event in the outbox.',
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'app_identity_bridge_poll_failures_total',
    help: 'Bridge cycles that failed (Keycloak or the database unavailable) and will be retried.',
    registers: [registry],
  });
  let lastSuccess: number | undefined;
  new Gauge({
    name: 'app_identity_bridge_last_poll_age_seconds',
    help: 'Seconds since the Keycloak events bridge last completed a cycle (-1 before the first).',
    registers: [registry],
    collect() {
      this.set(lastSuccess === undefined ? -1 : (Date.now() - lastSuccess) / 1000);
    },
  });
  for (const type of ['user.registered', 'user.updated', 'user.disabled', 'user.enabled', 'user.deleted']) {
    events.inc({ type }, 0);
  }
  return {
    cycleSucceeded(enqueued) {
      const now = Date.now();
      lastSuccess = now;
      for (const { type, causedAtMs } of enqueued) {
        events.inc({ type });
        if (causedAtMs !== undefined) lag.observe(Math.max(0, now - causedAtMs) / 1000);
      }
    },
    cycleFailed() {
      failures.inc();
    },
  };
}
