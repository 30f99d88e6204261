import { context } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { pathOf } from '../errors/send-problem.js';
import type { Logger } from '../logging/logger.js';
import { requestIdOf } from './request-id.js';

/**
 * One line per request when its response ends: id, method, path (no query string, which may carry
 * an access_token), status and time taken; never headers, so Authorization and cookies stay out of
 * the logs. A server error, or a response that never finished (the client went away), is logged at
 * error level as `request errored`.
 *
 * Written for the hot path instead of pino-http, which builds two child loggers per request: this
 * logs through the service's logger once, when the response ends.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // Bound to the request's trace: a response the client abandoned ends in the socket's context,
    // and its line must still carry the request's trace and span ids.
    const done = context.bind(context.active(), () => {
      res.off('finish', done);
      res.off('close', done);
      const line = {
        req: { id: requestIdOf(req), method: req.method, path: pathOf(req) },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - started),
      };
      if (res.writableFinished && res.statusCode < 500) logger.info(line, 'request completed');
      else logger.error(line, 'request errored');
    });
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
