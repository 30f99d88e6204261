import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOutboxEvents1735689600000 implements MigrationInterface {
  // Stated rather than taken from the class name, which bundlers may rename.
  name = 'CreateOutboxEvents1735689600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // clock_timestamp(), not now(): events enqueued in one transaction keep their order.
    await queryRunner.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text NULL,
        next_attempt_at timestamptz NULL
      )
    `);
    // Partial: the relay only ever looks for unpublished rows, which should be few.
    await queryRunner.query(
      `CREATE INDEX outbox_events_unpublished_idx ON outbox_events (created_at) WHERE published_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox_events`);
  }
}
