import { Gauge, type Registry } from 'prom-client';

/** The figures node-postgres' Pool keeps about itself. */
export interface ConnectionPoolStats {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { readonly max?: number };
}

export interface DatabasePoolMetrics {
  /** Reports the pool's figures on every scrape. */
  observePool(pool: ConnectionPoolStats): void;
}

export function createDatabasePoolMetrics(registry: Registry): DatabasePoolMetrics {
  let observed: ConnectionPoolStats | undefined;
  const connections: Gauge<'state'> = new Gauge({
    name: 'app_db_pool_connections',
    help: 'Database connections in the pool, by state: active (lent out) or idle.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      if (!observed) return;
      connections.set({ state: 'active' }, observed.totalCount - observed.idleCount);
      connections.set({ state: 'idle' }, observed.idleCount);
    },
  });
  const waiting: Gauge = new Gauge({
    name: 'app_db_pool_waiting_requests',
    help: 'Queries waiting for a free connection: the pool is saturated while this is above 0.',
    registers: [registry],
    collect() {
      if (observed) waiting.set(observed.waitingCount);
    },
  });
  const max: Gauge = new Gauge({
    name: 'app_db_pool_max_connections',
    help: 'The most connections the pool opens.',
    registers: [registry],
    collect() {
      if (observed?.options.max !== undefined) max.set(observed.options.max);
    },
  });
  return {
    observePool(pool) {
      observed = pool;
    },
  };
}
