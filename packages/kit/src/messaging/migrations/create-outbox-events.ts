import { sqlMigration } from '../../db/sql-migration.js';

export const CreateOutboxEvents1735689600000 = sqlMigration('CreateOutboxEvents1735689600000', {
  up: [
    // clock_timestamp(), not now(): events enqueued in one transaction keep their order.
    `CREATE TABLE outbox_events (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text NULL,
        next_attempt_at timestamptz NULL
      )`,
    // Partial: the relay only ever looks for unpublished rows, which should be few.
    'CREATE INDEX outbox_events_unpublished_idx ON outbox_events (created_at) WHERE published_at IS NULL',
  ],
  down: ['DROP TABLE outbox_events'],
});
