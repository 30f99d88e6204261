import { sqlMigration } from '@platform/kit';

export const AddPaymentsDetailsAndIdempotency1764100000000 = sqlMigration(
  'AddPaymentsDetailsAndIdempotency1764100000000',
  {
    up: [
      `ALTER TABLE invoices
        ADD COLUMN finalized_at timestamptz(3),
        ADD COLUMN paid_at timestamptz(3),
        ADD COLUMN voided_at timestamptz(3),
        ADD CONSTRAINT invoices_paid_in_full CHECK (status <> 'paid' OR paid_minor = total_minor)`,
      'CREATE INDEX invoices_account ON invoices (account_id)',
      `CREATE TABLE account_details (
        account_id uuid PRIMARY KEY REFERENCES accounts (id),
        key_id text NOT NULL,
        nonce bytea NOT NULL CHECK (length(nonce) = 12),
        ciphertext bytea NOT NULL,
        auth_tag bytea NOT NULL CHECK (length(auth_tag) = 16),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL REFERENCES invoices (id),
        account_id uuid NOT NULL REFERENCES accounts (id),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        provider text NOT NULL,
        provider_reference text NOT NULL,
        recorded_by text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`,
      'CREATE INDEX payments_invoice ON payments (invoice_id, created_at)',
      `CREATE TABLE idempotency_records (
        caller text NOT NULL,
        idempotency_key text NOT NULL,
        request_fingerprint text NOT NULL,
        response_status integer,
        response_body jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (caller, idempotency_key)
      )`,
    ],
    down: [
      'DROP TABLE idempotency_records',
      'DROP TABLE payments',
      'DROP TABLE account_details',
      'DROP INDEX invoices_account',
      `ALTER TABLE invoices
        DROP CONSTRAINT invoices_paid_in_full,
        DROP COLUMN voided_at,
        DROP COLUMN paid_at,
        DROP COLUMN finalized_at`,
    ],
  },
);
