import { CreateOutboxEvents1735689600000 } from './migrations/create-outbox-events.js';
import { CreateProcessedMessages1735689600001 } from './migrations/create-processed-messages.js';
import { IndexPrunableMessages1735689600002 } from './migrations/index-prunable-messages.js';
import { NotifyOutboxInserts1735689600003 } from './migrations/notify-outbox-inserts.js';
import { OutboxEvent } from './outbox-event.entity.js';
import { ProcessedMessage } from './processed-message.entity.js';

/**
 * The kit's tables, for a service's DataSource: `migrations: [...kitMigrations, ...own]`. Their
 * timestamps are fixed (2025-01-01) so they sort before any service migration, on every run.
 */
export const kitMigrations = [
  CreateOutboxEvents1735689600000,
  CreateProcessedMessages1735689600001,
  IndexPrunableMessages1735689600002,
  NotifyOutboxInserts1735689600003,
];

export const kitEntities = [OutboxEvent, ProcessedMessage];
