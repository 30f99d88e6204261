import { sqlMigration } from '@platform/kit';

export const UsersLookupsAndIdentityEventOrder1764100000000 = sqlMigration(
  'UsersLookupsAndIdentityEventOrder1764100000000',
  {
    up: [
      // When the identity event last applied to the row happened: a retried, older event must not
      // overwrite what a newer one set (a late "disabled" must not undo an "enabled").
      'ALTER TABLE users ADD COLUMN identity_event_at timestamptz(3)',
      'CREATE INDEX users_username_idx ON users (username)',
      // The admin list pages newest first by (created_at, id).
      'CREATE INDEX users_created_at_id_idx ON users (created_at DESC, id DESC)',
    ],
    down: [
      'DROP INDEX users_created_at_id_idx',
      'DROP INDEX users_username_idx',
      'ALTER TABLE users DROP COLUMN identity_event_at',
    ],
  },
);
