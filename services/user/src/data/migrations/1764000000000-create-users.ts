import { sqlMigration } from '@platform/kit';

export const CreateUsers1764000000000 = sqlMigration('CreateUsers1764000000000', {
  up: [
    `CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject text NOT NULL,
        username text,
        display_name text,
        avatar_url text,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT users_subject_unique UNIQUE (subject)
      )`,
  ],
  down: ['DROP TABLE users'],
});
