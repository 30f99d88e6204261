import { sqlMigration } from '@platform/kit';

export const CreateAuditEntries1764000000000 = sqlMigration('CreateAuditEntries1764000000000', {
  up: [
    `CREATE TABLE audit_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        actor text NOT NULL,
        action text NOT NULL,
        target text,
        before jsonb,
        after jsonb,
        request_id text,
        occurred_at timestamptz(3) NOT NULL DEFAULT now()
      )`,
    // The audit log is read newest first, optionally for one actor or target.
    'CREATE INDEX audit_entries_occurred_at ON audit_entries (occurred_at DESC, id DESC)',
    'CREATE INDEX audit_entries_target ON audit_entries (target, occurred_at DESC)',
    'CREATE INDEX audit_entries_actor ON audit_entries (actor, occurred_at DESC)',
  ],
  down: ['DROP TABLE audit_entries'],
});
