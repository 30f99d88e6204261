import type { QueryRunner } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { sqlMigration } from '../../src/db/sql-migration.js';

/** Records the statements a migration sends, in order. */
function recordingRunner(): { runner: QueryRunner; statements: string[] } {
  const statements: string[] = [];
  const runner = { query: (sql: string) => Promise.resolve(statements.push(sql)) } as unknown as QueryRunner;
  return { runner, statements };
}

describe('sqlMigration', () => {
  const CreateThings1764000000000 = sqlMigration('CreateThings1764000000000', {
    up: ['CREATE TABLE things (id int)', 'CREATE INDEX things_id ON things (id)'],
    down: ['DROP TABLE things'],
  });

  it('when TypeORM instantiates it, then the instance carries the stated name', () => {
    const migration = new CreateThings1764000000000();

    expect(migration.name).toBe('CreateThings1764000000000');
    expect(CreateThings1764000000000.name).toBe('CreateThings1764000000000');
  });

  it('when it runs up or down, then it sends its statements in order', async () => {
    const { runner, statements } = recordingRunner();
    const migration = new CreateThings1764000000000();

    await migration.up(runner);
    await migration.down(runner);

    expect(statements).toEqual([
      'CREATE TABLE things (id int)',
      'CREATE INDEX things_id ON things (id)',
      'DROP TABLE things',
    ]);
  });

  it('when the name does not end in a timestamp, then it is refused', () => {
    expect(() => sqlMigration('CreateThings', { up: [], down: [] })).toThrow('13-digit timestamp');
  });
});
