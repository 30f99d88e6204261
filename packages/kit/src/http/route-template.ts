import type { Request, Response } from 'express';
import { joinRoutePath } from './join-route-path.js';

/**
 * The matched route's template (e.g. `/users/:id`), for metric labels and logs.
 *
 * RouteTable records it when a route matches. That is exact even when a handler inside a mounted
 * router fails: by the time the error handler answers, Express has already restored `req.baseUrl`
 * to the parent's, so `req.baseUrl + req.route.path` would lose the mount path. For routes
 * registered on plain Express routers that join is the fallback.
 */
export function setRouteTemplate(res: Response, template: string): void {
  // The server span (server-span.ts) reads it when the response ends: `GET /users/:id`, http.route.
  res.locals.routeTemplate = template;
}

export function routeTemplateOf(req: Request, res: Response): string | undefined {
  const recorded: unknown = res.locals.routeTemplate;
  if (typeof recorded === 'string') return recorded;
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? joinRoutePath(req.baseUrl, path) : undefined;
}
