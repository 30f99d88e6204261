import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Registry } from 'prom-client';
import { notFoundHandler, problemErrorHandler } from '../errors/problem-error-handler.js';
import type { Logger } from '../logging/logger.js';
import type { ReadinessCheck } from '../readiness-check.js';
import { trackHttpDrain } from '../shutdown/http-drain.js';
import { type ReadinessReport, runReadinessChecks } from './run-readiness-checks.js';

export interface ManagementServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: readonly ReadinessCheck[];
  readonly logger: Logger;
  /** Bound on each readiness check; probes usually time out after a few seconds themselves. */
  readonly checkTimeoutMs?: number;
  /**
   * True from the moment shutdown begins: /readyz then answers 503 without running the checks,
   * so load balancers take the instance out while its public port drains.
   */
  readonly isShuttingDown?: () => boolean;
}

export interface ManagementServer {
  readonly server: Server;
  /** The bound port, useful when asked for port 0. */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Probes and metrics on their own port, so they are never exposed through the API edge and keep
 * answering whatever the public app is doing.
 */
export async function startManagementServer({
  host,
  port,
  registry,
  readiness,
  logger,
  checkTimeoutMs = 2_000,
  isShuttingDown = () => false,
}: ManagementServerOptions): Promise<ManagementServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  app.get('/healthz', (_req, res) => {
    // Liveness only: a dependency outage must not make the orchestrator restart a healthy process.
    res.json({ status: 'ok' });
  });

  let lastStatus: string | undefined;
  app.get('/readyz', async (_req, res) => {
    const report: ReadinessReport = isShuttingDown()
      ? { status: 'unready', checks: { shutdown: 'shutting down' } }
      : await runReadinessChecks(readiness, checkTimeoutMs);
    // Log changes, not every probe, or an outage would flood the logs.
    if (report.status !== lastStatus) {
      if (report.status === 'ready') logger.info({ checks: report.checks }, 'ready');
      else logger.warn({ checks: report.checks }, 'not ready');
      lastStatus = report.status;
    }
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });

  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  app.use(notFoundHandler);
  app.use(problemErrorHandler(logger));

  const server = createServer(app);
  const drain = trackHttpDrain(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  logger.info({ host, port: bound }, 'management server listening');
  return { server, port: bound, close: () => drain.close() };
}
