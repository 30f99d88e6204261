import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { days, kitRetentionRules, retentionRule } from '../../src/messaging/retention-rule.js';

describe('retention windows', () => {
  it('when the defaults apply, then published outbox rows are kept 7 days and processed messages 14', () => {
    expect(kitRetentionRules({ OUTBOX_RETENTION_DAYS: 7, PROCESSED_MESSAGES_RETENTION_DAYS: 14 })).toEqual([
      { table: 'outbox_events', agedBy: 'published_at', retainMs: days(7) },
      { table: 'processed_messages', agedBy: 'processed_at', retainMs: days(14) },
    ]);
  });

  it('when processed messages would be forgotten before the outbox rows they came from, then the configuration is refused naming the variable', () => {
    const refused = () =>
      kitRetentionRules({ OUTBOX_RETENTION_DAYS: 14, PROCESSED_MESSAGES_RETENTION_DAYS: 14 });

    expect(refused).toThrow(ConfigError);
    expect(refused).toThrow(
      'PROCESSED_MESSAGES_RETENTION_DAYS: must be longer than OUTBOX_RETENTION_DAYS (14)',
    );
  });

  it('when a rule names something other than a plain identifier, then it is refused before any SQL is built', () => {
    expect(() => retentionRule({ table: 'outbox; DROP TABLE x', agedBy: 'created_at', retainMs: 1 })).toThrow(
      'not a plain SQL identifier',
    );
    expect(() => retentionRule({ table: 'outbox_events', agedBy: 'created_at', retainMs: 0 })).toThrow(
      'retainMs must be positive',
    );
  });
});
