import { sqlMigration } from '../../db/sql-migration.js';

/**
 * Every statement that adds outbox rows notifies the `outbox_events` channel, so the relay (which
 * LISTENs on it) publishes right after the commit instead of at its next poll. PostgreSQL delivers
 * a notification only when its transaction commits, and folds identical ones of one transaction
 * into one: a transaction enqueueing many events wakes the relay once.
 */
export const NotifyOutboxInserts1735689600003 = sqlMigration('NotifyOutboxInserts1735689600003', {
  up: [
    `CREATE FUNCTION outbox_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_events', '');
        RETURN NULL;
      END
    $$`,
    `CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify()`,
  ],
  down: ['DROP TRIGGER outbox_events_notify ON outbox_events', 'DROP FUNCTION outbox_events_notify()'],
});
