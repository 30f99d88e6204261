import { sqlMigration } from '../../db/sql-migration.js';

/**
 * Indexes the retention pruner finds expired rows with, so a batch reads only those rows.
 *
 * Not CONCURRENTLY, although writes to each table wait while its index builds (a one-off: once
 * pruned the tables stay small). A concurrent build waits for every transaction in the database
 * that holds a snapshot, and a replica waiting for the migration lock (`runMigrations`) holds one
 * until this migration ends: a deadlock PostgreSQL cannot see, which hung two replicas migrating
 * together.
 */
export const IndexPrunableMessages1735689600002 = sqlMigration('IndexPrunableMessages1735689600002', {
  up: [
    // Partial: unpublished rows are never pruned, and the relay has its own index for them.
    'CREATE INDEX outbox_events_published_idx ON outbox_events (published_at) WHERE published_at IS NOT NULL',
    'CREATE INDEX processed_messages_processed_at_idx ON processed_messages (processed_at)',
  ],
  down: ['DROP INDEX processed_messages_processed_at_idx', 'DROP INDEX outbox_events_published_idx'],
});
