import type { Request, Response } from 'express';
import { requestIdOf } from '../http/request-id.js';
import type { HttpProblem } from './http-problem.js';

const standardMembers = new Set(['type', 'title', 'status', 'detail', 'instance', 'requestId']);

export function sendProblem(req: Request, res: Response, problem: HttpProblem): void {
  const requestId = requestIdOf(req);
  const extensions = Object.fromEntries(
    Object.entries(problem.extensions).filter(([name]) => !standardMembers.has(name)),
  );
  res
    .status(problem.status)
    .set(problem.headers)
    .type('application/problem+json')
    .json({
      type: problem.type,
      title: problem.title,
      status: problem.status,
      ...(problem.detail === undefined ? {} : { detail: problem.detail }),
      instance: pathOf(req),
      ...(requestId === undefined ? {} : { requestId }),
      ...extensions,
    });
}

/** The path without the query string, which may carry values (even tokens) that must not be echoed. */
export function pathOf(req: { readonly originalUrl?: string; readonly url?: string }): string {
  const url = req.originalUrl || req.url || '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
