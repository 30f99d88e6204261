import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { joinRoutePath } from '../http/join-route-path.js';

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
      const routeTemplate = trackRouteTemplate(req);
      res.once('finish', () => {
        // Only templates are used as labels: raw paths carry ids and would explode the series count.
        stopTimer({
          method: req.method,
          route: routeTemplate() ?? 'unmatched',
          status_code: String(res.statusCode),
        });
      });
      next();
    },
  };
}

/**
 * Records the route template at the moment Express matches a route. Reading `req.route` when the
 * response finishes is not enough: when a handler in a mounted router fails, Express has already
 * restored `req.baseUrl` to the parent's by the time the error handler answers.
 */
function trackRouteTemplate(req: Request): () => string | undefined {
  let route: unknown = req.route;
  let template: string | undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string') template = joinRoutePath(req.baseUrl, path);
    },
  });
  return () => template;
}
