import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuditEntries1764000000000 implements MigrationInterface {
  name = 'CreateAuditEntries1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        actor text NOT NULL,
        action text NOT NULL,
        target text,
        before jsonb,
        after jsonb,
        request_id text,
        occurred_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // The audit log is read newest first, optionally for one actor or target.
    await queryRunner.query(
      'CREATE INDEX audit_entries_occurred_at ON audit_entries (occurred_at DESC, id DESC)',
    );
    await queryRunner.query('CREATE INDEX audit_entries_target ON audit_entries (target, occurred_at DESC)');
    await queryRunner.query('CREATE INDEX audit_entries_actor ON audit_entries (actor, occurred_at DESC)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE audit_entries');
  }
}
