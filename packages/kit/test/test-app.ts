import type { Express } from 'express';
import type { DestinationStream } from 'pino';
import type { LogLevel } from '../src/config/service-config.js';
import { createApp } from '../src/http/create-app.js';
import { createLogger } from '../src/logging/logger.js';
import { createMetrics, type Metrics } from '../src/metrics/create-metrics.js';

/** Collects the JSON lines a logger writes, so tests can assert on what was logged. */
export function captureLogs(): { destination: DestinationStream; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  return {
    destination: { write: (line: string) => void written.push(line) },
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export interface TestApp {
  readonly app: Express;
  readonly metrics: Metrics;
  readonly logs: () => Record<string, unknown>[];
}

/** The kit's app exactly as a service builds it, with a 1kb body limit and its logs captured. */
export function createTestApp(configure: (app: Express) => void, level: LogLevel = 'warn'): TestApp {
  const { destination, lines } = captureLogs();
  const logger = createLogger({ name: 'kit-test', level, destination });
  const metrics = createMetrics({ service: 'kit-test' });
  const app = createApp({ name: 'kit-test', logger, bodyLimit: '1kb', metrics, configure });
  return { app, metrics, logs: lines };
}
