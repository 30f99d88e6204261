import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { notFoundHandler, problemErrorHandler } from '../errors/problem-error-handler.js';
import { pathOf } from '../errors/send-problem.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/create-metrics.js';
import { wellFormedStrings } from './well-formed-strings.js';
import { requestId, requestIdOf } from './request-id.js';

export interface AppOptions {
  readonly name: string;
  readonly logger: Logger;
  /** Largest accepted JSON body, e.g. '100kb'. */
  readonly bodyLimit: string;
  readonly metrics: Metrics;
  /** Mounts the service's routers. */
  readonly configure: (app: Express) => void;
}

export function createApp({ name, logger, bodyLimit, metrics, configure }: AppOptions): Express {
  const app = express();
  app.locals.serviceName = name;
  app.disable('x-powered-by');
  // Express's default, stated: req.ip and req.protocol are the peer's own, X-Forwarded-* is not believed.
  app.set('trust proxy', false);
  app.use(helmet());
  app.use(requestId());
  // pino-http keeps the req.id that requestId() has just set, so logs and responses share one id.
  app.use(
    pinoHttp({
      logger,
      customLogLevel: (_req, res, error) => (error !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
      // Whitelisted fields only: headers (Authorization, cookies) and query strings (which may carry
      // an access_token) never reach the logs.
      serializers: {
        req: (req: IncomingMessage & { originalUrl?: string }) => ({
          id: requestIdOf(req),
          method: req.method,
          path: pathOf(req),
        }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      wrapSerializers: false,
    }),
  );
  app.use(metrics.httpMetrics);
  app.use(express.json({ limit: bodyLimit }));
  app.use(wellFormedStrings());
  configure(app);
  app.use(notFoundHandler);
  app.use(problemErrorHandler(logger));
  return app;
}
