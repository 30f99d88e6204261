import { sqlMigration } from '@platform/kit';

export const CreateIdentityBridgeState1764100000000 = sqlMigration('CreateIdentityBridgeState1764100000000', {
  up: [
    // One row: up to where (Keycloak's time, ms) the Keycloak events have been bridged.
    `CREATE TABLE identity_bridge_cursor (
        id smallint PRIMARY KEY CHECK (id = 1),
        position_ms bigint NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`,
    // Events just behind the cursor are read again (late commits); these ids are skipped then.
    `CREATE TABLE identity_bridge_events (
        log text NOT NULL,
        event_id text NOT NULL,
        occurred_at_ms bigint NOT NULL,
        PRIMARY KEY (log, event_id)
      )`,
    'CREATE INDEX identity_bridge_events_occurred_at ON identity_bridge_events (log, occurred_at_ms)',
    // The last state of each person the bridge has seen; deleted ones stay as tombstones.
    `CREATE TABLE identity_snapshots (
        user_id text PRIMARY KEY,
        username text,
        email text,
        first_name text,
        last_name text,
        enabled boolean NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`,
  ],
  down: [
    'DROP TABLE identity_snapshots',
    'DROP TABLE identity_bridge_events',
    'DROP TABLE identity_bridge_cursor',
  ],
});
