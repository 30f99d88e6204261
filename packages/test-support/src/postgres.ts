/** The stack's PostgreSQL, read and prepared directly by tests. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresAdminUrl, type ServiceName } from '@platform/platform/environment';
import { serviceEnv } from '@platform/platform/service-env';
import { environment, secrets } from './stack.js';

/** Runs one statement on a connection of its own, closed again whatever happens. */
export async function queryOnce<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Runs one statement as the server's superuser, e.g. to create or drop a database. */
export async function adminQuery(sql: string): Promise<void> {
  await queryOnce(postgresAdminUrl(environment, secrets), sql);
}

/** The URL a service of the stack reaches its own database with, as its own role. */
export function serviceDatabaseUrl(name: ServiceName): string {
  const url = serviceEnv(name, environment, secrets).DATABASE_URL;
  if (!url) throw new Error(`the ${name} service has no DATABASE_URL`);
  return url;
}

/** A small pool on a service's own database, to prove what it did (not) write; end it after the tests. */
export function serviceDatabase(name: ServiceName): pg.Pool {
  return new pg.Pool({ connectionString: serviceDatabaseUrl(name), max: 2 });
}

export interface ThrowawayDatabase {
  readonly name: string;
  /** As the owner's role: the superuser's, or the one of `ownedBy`. */
  readonly url: string;
  /** Drops it even while connections are still open. */
  drop(): Promise<void>;
}

/**
 * A fresh database of its own for one test, so it can migrate, break or fill it without touching
 * the services' databases. `ownedBy` is a database URL whose role should own it.
 */
export async function createThrowawayDatabase(
  prefix: string,
  { ownedBy }: { ownedBy?: string } = {},
): Promise<ThrowawayDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const owner = ownedBy === undefined ? undefined : new URL(ownedBy);
  await adminQuery(`CREATE DATABASE ${name}${owner ? ` OWNER ${decodeURIComponent(owner.username)}` : ''}`);
  let url = postgresAdminUrl(environment, secrets, name);
  if (owner) {
    owner.pathname = `/${name}`;
    url = owner.toString();
  }
  return { name, url, drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
