import type { DataSource } from 'typeorm';
import type { Logger as PinoLogger } from 'pino';
import type { RetentionMetrics } from '../metrics/retention-metrics.js';
import { BackgroundLoop } from '../service/background-loop.js';
import { pause } from './backoff.js';
import { deleteExpiredBatch } from './batch-delete.js';
import type { RetentionRule } from './retention-rule.js';

type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface RetentionPrunerOptions {
  dataSource: DataSource;
  rules: readonly RetentionRule[];
  logger: Logger;
  /** Rows deleted per transaction. */
  batchSize: number;
  /** Time between the end of one run and the start of the next. */
  intervalMs: number;
  metrics?: RetentionMetrics;
}

/** What one run deleted from one table, and in how many transactions. */
export interface TablePruned {
  readonly table: string;
  readonly deleted: number;
  readonly batches: number;
}

/**
 * Keeps tables that only ever grow (the outbox, processed messages, idempotency records) to their
 * retention windows. A run goes through the rules one table at a time and deletes batch after
 * batch until a batch comes back short: no batch holds its locks for longer than one small
 * DELETE, so writers and the relay never queue behind it. Every replica runs it; see
 * deleteExpiredBatch for why that is harmless.
 */
export class RetentionPruner {
  private readonly schedule = new BackgroundLoop((signal) => this.loop(signal));

  constructor(private readonly options: RetentionPrunerOptions) {}

  start(): void {
    this.schedule.start();
  }

  /** Stops the schedule; a run in progress ends after its current batch. */
  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /**
   * One run over every rule. Throws after trying every table if any of them failed (the others
   * are still pruned), naming those tables; the error is logged per table too.
   */
  async pruneOnce(signal?: AbortSignal): Promise<TablePruned[]> {
    const results: TablePruned[] = [];
    const failed: string[] = [];
    for (const rule of this.options.rules) {
      if (signal?.aborted) break;
      try {
        results.push(await this.pruneTable(rule, signal));
      } catch (error) {
        failed.push(rule.table);
        this.options.logger.error({ err: error, table: rule.table }, 'could not prune a table');
      }
    }
    if (failed.length > 0) throw new Error(`retention: could not prune ${failed.join(', ')}`);
    return results;
  }

  private async pruneTable(rule: RetentionRule, signal?: AbortSignal): Promise<TablePruned> {
    const { dataSource, batchSize, metrics, logger } = this.options;
    let deleted = 0;
    let batches = 0;
    for (;;) {
      const count = await deleteExpiredBatch(dataSource, rule, batchSize);
      batches += 1;
      deleted += count;
      metrics?.pruned(rule.table, count);
      // A short batch means nothing past the window is left (rows held by a transaction wait for the next run).
      if (count < batchSize || signal?.aborted) break;
    }
    if (deleted > 0)
      logger.info({ table: rule.table, deleted, batches }, 'pruned rows past their retention window');
    return { table: rule.table, deleted, batches };
  }

  private async loop(signal: AbortSignal): Promise<void> {
    // The first run comes at a random point of the first interval, so replicas started together
    // (a deploy) spread their runs instead of all pruning at once.
    await pause(Math.random() * this.options.intervalMs, signal);
    while (!signal.aborted) {
      await this.pruneOnce(signal).catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'retention run incomplete; the next run tries again'),
      );
      await pause(this.options.intervalMs, signal);
    }
  }
}
