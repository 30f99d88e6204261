import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { routeTemplateOf } from '../http/route-template.js';

export interface Metrics {
  readonly registry: Registry;
  /** Times every request; mount it before the routers. */
  readonly httpMetrics: RequestHandler;
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
  };
}
