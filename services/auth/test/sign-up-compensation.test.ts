import {
  createDataSource,
  createLogger,
  kitEntities,
  kitMigrations,
  runMigrations,
  type RunningService,
} from '@platform/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createThrowawayDatabase,
  queryOnce,
  serviceDatabaseUrl,
  type ThrowawayDatabase,
} from '@platform/test-support/postgres';
import { startSecondInstance, stopSecondInstance } from '@platform/test-support/service-instance';
import { service } from '../src/service.js';
import { call, strongPassword, uniqueEmail } from './support/auth-stack.js';
import { findByEmail, removePeople } from './support/keycloak-fixtures.js';

// A second auth service on a throwaway database of its own, whose outbox refuses every insert:
// the audit-and-event transaction of a sign-up fails after Keycloak already created the account.
let database: ThrowawayDatabase;
let instance: RunningService;

beforeAll(async () => {
  database = await createThrowawayDatabase('auth_compensation', { ownedBy: serviceDatabaseUrl('auth') });
  const dataSource = createDataSource({
    url: database.url,
    entities: [...kitEntities, ...(service.entities as [])],
    migrations: [...kitMigrations, ...(service.migrations as [])],
  });
  await dataSource.initialize();
  await runMigrations(dataSource, createLogger({ name: 'test', level: 'silent' }));
  await dataSource.destroy();
  await queryOnce(
    database.url,
    'ALTER TABLE outbox_events ADD CONSTRAINT refuse_every_event CHECK (false) NOT VALID',
  );

  instance = await startSecondInstance('auth', service, { overrides: { DATABASE_URL: database.url } });
});

afterAll(async () => {
  await stopSecondInstance(instance);
  await database?.drop();
});

describe('sign-up when a step after the account creation fails', () => {
  it('when the audit entry and event cannot be committed, then the Keycloak account is removed again', async () => {
    const email = uniqueEmail('compensated');

    const response = await call('POST', '/auth/signup', {
      base: instance.url,
      body: { email, password: strongPassword, firstName: 'Half', lastName: 'Made' },
    });

    expect(response.status).toBe(500);
    const account = await findByEmail(email);
    if (account?.id) await removePeople([account.id]);
    expect(account).toBeUndefined();
    expect(await queryOnce(database.url, 'SELECT id FROM audit_entries')).toEqual([]);
  });
});
