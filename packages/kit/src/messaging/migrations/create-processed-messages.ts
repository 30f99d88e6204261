import { sqlMigration } from '../../db/sql-migration.js';

export const CreateProcessedMessages1735689600001 = sqlMigration('CreateProcessedMessages1735689600001', {
  up: [
    `CREATE TABLE processed_messages (
        consumer text NOT NULL,
        message_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`,
  ],
  down: ['DROP TABLE processed_messages'],
});
