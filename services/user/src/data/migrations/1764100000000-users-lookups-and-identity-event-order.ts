import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UsersLookupsAndIdentityEventOrder1764100000000 implements MigrationInterface {
  name = 'UsersLookupsAndIdentityEventOrder1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // When the identity event last applied to the row happened: a retried, older event must not
    // overwrite what a newer one set (a late "disabled" must not undo an "enabled").
    await queryRunner.query('ALTER TABLE users ADD COLUMN identity_event_at timestamptz(3)');
    await queryRunner.query('CREATE INDEX users_username_idx ON users (username)');
    // The admin list pages newest first by (created_at, id).
    await queryRunner.query('CREATE INDEX users_created_at_id_idx ON users (created_at DESC, id DESC)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX users_created_at_id_idx');
    await queryRunner.query('DROP INDEX users_username_idx');
    await queryRunner.query('ALTER TABLE users DROP COLUMN identity_event_at');
  }
}
