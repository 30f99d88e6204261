import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProcessedMessages1735689600001 implements MigrationInterface {
  // Stated rather than taken from the class name, which bundlers may rename.
  name = 'CreateProcessedMessages1735689600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE processed_messages (
        consumer text NOT NULL,
        message_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE processed_messages`);
  }
}
