import { randomBytes } from 'node:crypto';
import {
  createDataSource,
  createLogger,
  kitEntities,
  kitMigrations,
  loadConfig,
  runMigrations,
  startService,
  type RunningService,
} from '@platform/kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl } from '../../../dev/environment.js';
import { environment, secrets } from '../../../e2e/support/stack.js';
import { authConfigSchema } from '../src/config.js';
import { service } from '../src/service.js';
import { authDatabaseUrl, authServiceEnv, call, strongPassword, uniqueEmail } from './support/auth-stack.js';
import { findByEmail, removePeople } from './support/keycloak-fixtures.js';

// A second auth service on a throwaway database of its own, whose outbox refuses every insert:
// the audit-and-event transaction of a sign-up fails after Keycloak already created the account.
const database = `auth_compensation_${randomBytes(4).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(authDatabaseUrl());
  url.pathname = `/${database}`;
  return url.toString();
})();
let instance: RunningService;

async function query(url: string, sql: string): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const owner = new URL(authDatabaseUrl()).username;
  await query(postgresAdminUrl(environment, secrets), `CREATE DATABASE ${database} OWNER ${owner}`);
  const dataSource = createDataSource({
    url: databaseUrl,
    entities: [...kitEntities, ...(service.entities as [])],
    migrations: [...kitMigrations, ...(service.migrations as [])],
  });
  await dataSource.initialize();
  await runMigrations(dataSource, createLogger({ name: 'test', level: 'silent' }));
  await dataSource.destroy();
  await query(
    databaseUrl,
    'ALTER TABLE outbox_events ADD CONSTRAINT refuse_every_event CHECK (false) NOT VALID',
  );

  const config = loadConfig(authConfigSchema, {
    ...authServiceEnv(),
    PORT: '0',
    MANAGEMENT_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
  });
  instance = await startService(service, config, { exit: () => {}, consumers: false });
});

afterAll(async () => {
  await instance?.shutdown.shutdown('test');
  await query(postgresAdminUrl(environment, secrets), `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('sign-up when a step after the account creation fails', () => {
  it('when the audit entry and event cannot be committed, then the Keycloak account is removed again', async () => {
    const email = uniqueEmail('compensated');

    const response = await call('POST', '/auth/signup', {
      baseUrl: instance.url,
      body: { email, password: strongPassword, firstName: 'Half', lastName: 'Made' },
    });

    expect(response.status).toBe(500);
    const account = await findByEmail(email);
    if (account?.id) await removePeople([account.id]);
    expect(account).toBeUndefined();
    expect(await query(databaseUrl, 'SELECT id FROM audit_entries')).toEqual([]);
  });
});
