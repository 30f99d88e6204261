import { sqlMigration } from '@platform/kit';

export const CreateAccountsAndInvoices1764000000000 = sqlMigration('CreateAccountsAndInvoices1764000000000', {
  up: [
    `CREATE TABLE accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT accounts_user_id_unique UNIQUE (user_id)
      )`,
    `CREATE TABLE invoices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts (id),
        user_id text NOT NULL,
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'paid', 'void')),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        lines jsonb NOT NULL,
        total_minor bigint NOT NULL CHECK (total_minor >= 0),
        paid_minor bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0 AND paid_minor <= total_minor),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`,
    'CREATE INDEX invoices_user_created ON invoices (user_id, created_at DESC, id DESC)',
    'CREATE INDEX invoices_created ON invoices (created_at DESC, id DESC)',
  ],
  down: ['DROP TABLE invoices', 'DROP TABLE accounts'],
});
