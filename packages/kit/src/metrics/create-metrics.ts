import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { routeTemplateOf } from '../http/route-template.js';
import { createCircuitBreakerMetrics, type CircuitBreakerGauge } from './circuit-breaker-metrics.js';
import { createConsumerMetrics, type ConsumerMetrics } from './consumer-metrics.js';
import { createDatabasePoolMetrics, type DatabasePoolMetrics } from './database-pool-metrics.js';
import { createKeycloakAdminMetrics, type KeycloakAdminMetrics } from './keycloak-admin-metrics.js';
import { createOutboxMetrics, type OutboxMetrics } from './outbox-metrics.js';
import { createRetentionMetrics, type RetentionMetrics } from './retention-metrics.js';

/**
 * One service's metrics, all on its own registry (served on the management port). The kit's
 * own figures are named `app_<area>_…`; every series carries the `service` label.
 */
export interface Metrics {
  readonly registry: Registry;
  /** Times every request; mount it before the routers. */
  readonly httpMetrics: RequestHandler;
  readonly outbox: OutboxMetrics;
  readonly consumers: ConsumerMetrics;
  readonly keycloakAdmin: KeycloakAdminMetrics;
  readonly databasePool: DatabasePoolMetrics;
  /** The retained tables' sizes and the rows the retention pruner deleted. */
  readonly retention: RetentionMetrics;
  /** The state gauge of one named circuit breaker (e.g. `user-service`), starting closed. */
  circuitBreaker(name: string): CircuitBreakerGauge;
}

export interface MetricsOptions {
  readonly service: string;
}

export function createMetrics({ service }: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const circuits = createCircuitBreakerMetrics(registry);
  return {
    registry,
    httpMetrics: (req, res, next) => {
      const stopTimer = requestDuration.startTimer();
      res.once('finish', () => {
        // Only templates are used as labels: raw paths carry ids and would explode the series count.
        stopTimer({
          method: req.method,
          route: routeTemplateOf(req, res) ?? 'unmatched',
          status_code: String(res.statusCode),
        });
      });
      next();
    },
    outbox: createOutboxMetrics(registry),
    consumers: createConsumerMetrics(registry),
    keycloakAdmin: createKeycloakAdminMetrics(registry),
    databasePool: createDatabasePoolMetrics(registry),
    retention: createRetentionMetrics(registry),
    circuitBreaker: (name) => circuits.circuit(name),
  };
}
