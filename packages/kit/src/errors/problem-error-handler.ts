import type { ErrorRequestHandler, RequestHandler } from 'express';
import { requestIdOf } from '../http/request-id.js';
import type { Logger } from '../logging/logger.js';
import { problemFromError } from './problem-from-error.js';
import { notFound } from './problems.js';
import { pathOf, sendProblem } from './send-problem.js';

/** The last middleware of every app: every error leaves as application/problem+json. */
export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const requestId = requestIdOf(req);
    if (res.headersSent) {
      // Too late for a problem document; Express's default handler ends the broken response.
      logger.error({ err: error, requestId }, 'error after the response started');
      next(error);
      return;
    }
    const problem = problemFromError(error);
    if (problem.status >= 500) {
      logger.error({ err: error, requestId, method: req.method, path: pathOf(req) }, 'request failed');
    }
    sendProblem(req, res, problem);
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(notFound(`No route matches ${req.method} ${pathOf(req)}`));
};
