import { Counter, Gauge, type Registry } from 'prom-client';
import { scrapeTimeRead } from './scrape-time-read.js';

export interface RetentionMetrics {
  /** Counts rows one batch deleted from `table`. */
  pruned(table: string, rows: number): void;
  /**
   * Reports the tables' sizes on every scrape, read by `read`; every table starts its pruned
   * counter at zero, so a rate exists before the first deletion.
   */
  observeTables(tables: readonly string[], read: () => Promise<ReadonlyMap<string, number>>): void;
}

export function createRetentionMetrics(registry: Registry): RetentionMetrics {
  let readRows: (() => Promise<ReadonlyMap<string, number>>) | undefined;
  const pruned = new Counter({
    name: 'app_retention_pruned_rows_total',
    help: 'Rows the retention pruner deleted because they were past their window, by table.',
    labelNames: ['table'] as const,
    registers: [registry],
  });
  const rows: Gauge<'table'> = new Gauge({
    name: 'app_retention_table_rows',
    help: 'Estimated rows in each table the retention pruner keeps (PostgreSQL statistics, not a count).',
    labelNames: ['table'] as const,
    registers: [registry],
    async collect() {
      if (!readRows) return;
      // Re-filled on every scrape: without an answer from the database there is no figure, not an old one.
      rows.reset();
      try {
        for (const [table, estimate] of await readRows()) rows.set({ table }, estimate);
      } catch {
        // The database is away: its own readiness and pool metrics say so.
      }
    },
  });
  return {
    pruned: (table, count) => pruned.inc({ table }, count),
    observeTables(tables, read) {
      for (const table of tables) pruned.inc({ table }, 0);
      readRows = scrapeTimeRead(read, 2_000);
    },
  };
}
