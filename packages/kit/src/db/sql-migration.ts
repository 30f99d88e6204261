import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A migration class, as a DataSource's `migrations` list takes it (TypeORM instantiates it). */
export type MigrationClass = new () => MigrationInterface;

export interface SqlMigrationSteps {
  /**
   * Run in order, inside the migration's own transaction. Nothing that refuses a transaction
   * (`CREATE INDEX CONCURRENTLY`): it would also wait for the replicas queued on runMigrations'
   * lock, which wait for it.
   */
  readonly up: readonly string[];
  /** Undo `up`, in order (usually its statements' inverses, last first). */
  readonly down: readonly string[];
}

/**
 * A migration made of SQL statements. `name` is what TypeORM records in the `migrations` table of
 * every database it ran on and sorts by (it ends in a 13-digit millisecond timestamp): renaming a
 * migration that ran would run it again. It is stated, not taken from a class name, because
 * bundlers may rename classes.
 */
export function sqlMigration(name: string, steps: SqlMigrationSteps): MigrationClass {
  if (!/\d{13}$/.test(name)) {
    throw new Error(`migration "${name}": the name must end in a 13-digit timestamp, which orders it`);
  }
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of steps.up) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const statement of steps.down) await queryRunner.query(statement);
    }
  };
  // The class's own name too, for whatever shows it (stack traces, TypeORM's fallback).
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
}
