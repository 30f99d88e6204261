import type { ServiceConfig } from '../config/service-config.js';
import { ConfigError } from '../config/config-error.js';

const dayMs = 24 * 60 * 60 * 1000;
const sqlIdentifier = /^[a-z_][a-z0-9_]*$/;

/**
 * Rows of `table` whose `agedBy` timestamp lies more than `retainMs` in the past may be deleted.
 * Rows where `agedBy` is NULL never are (an unpublished outbox row has no `published_at`).
 * `agedBy` needs an index (a partial one `WHERE agedBy IS NOT NULL` is enough) so that finding a
 * batch reads only the expired rows, never the whole table.
 */
export interface RetentionRule {
  /** The table, also the `table` label of the retention metrics. */
  readonly table: string;
  /** A timestamptz column. */
  readonly agedBy: string;
  readonly retainMs: number;
}

/** Checks the names once: they are put into SQL as identifiers, never as parameters. */
export function retentionRule(rule: RetentionRule): RetentionRule {
  for (const name of [rule.table, rule.agedBy]) {
    if (!sqlIdentifier.test(name)) throw new Error(`retention rule: "${name}" is not a plain SQL identifier`);
  }
  if (!Number.isFinite(rule.retainMs) || rule.retainMs <= 0) {
    throw new Error(`retention rule for ${rule.table}: retainMs must be positive`);
  }
  return rule;
}

export const days = (count: number) => count * dayMs;

/**
 * The kit's own tables (see OUTBOX_RETENTION_DAYS and PROCESSED_MESSAGES_RETENTION_DAYS in the
 * service config for why these windows). Outbox rows age from their publication, so a row that
 * waited long for the broker still gets its full window after it went out.
 */
export function kitRetentionRules(
  config: Pick<ServiceConfig, 'OUTBOX_RETENTION_DAYS' | 'PROCESSED_MESSAGES_RETENTION_DAYS'>,
): RetentionRule[] {
  if (config.PROCESSED_MESSAGES_RETENTION_DAYS <= config.OUTBOX_RETENTION_DAYS) {
    // An event re-published from the outbox must still be recognised by the consumers that applied it.
    throw new ConfigError([
      {
        variable: 'PROCESSED_MESSAGES_RETENTION_DAYS',
        message: `must be longer than OUTBOX_RETENTION_DAYS (${config.OUTBOX_RETENTION_DAYS})`,
      },
    ]);
  }
  return [
    retentionRule({
      table: 'outbox_events',
      agedBy: 'published_at',
      retainMs: days(config.OUTBOX_RETENTION_DAYS),
    }),
    retentionRule({
      table: 'processed_messages',
      agedBy: 'processed_at',
      retainMs: days(config.PROCESSED_MESSAGES_RETENTION_DAYS),
    }),
  ];
}
