import type { DataSource } from 'typeorm';
import type { ReadinessCheck } from '../readiness-check.js';

/** Ready when a pooled connection can answer a trivial query. */
export function databaseReadinessCheck(dataSource: DataSource): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      if (!dataSource.isInitialized) throw new Error('the database connection is not initialized');
      await dataSource.query('SELECT 1');
    },
  };
}
