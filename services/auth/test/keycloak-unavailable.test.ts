import type { RunningService } from '@platform/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSecondInstance,
  stopSecondInstance,
  unreachableKeycloak,
} from '@platform/test-support/service-instance';
import { userToken } from '@platform/test-support/tokens';
import { service } from '../src/service.js';
import { authDb, call, strongPassword, uniqueEmail } from './support/auth-stack.js';
import { findByEmail } from './support/keycloak-fixtures.js';

// A second auth service whose Keycloak Admin API and token endpoint are unreachable; it still
// validates tokens against the real Keycloak's JWKS. The shared Keycloak keeps running for others.
let instance: RunningService;
let adminToken: string;

beforeAll(async () => {
  instance = await startSecondInstance('auth', service, { overrides: await unreachableKeycloak() });
  adminToken = await userToken('ada');
});

afterAll(async () => {
  await stopSecondInstance(instance);
});

describe('auth service while Keycloak is unreachable', () => {
  it('when a person signs up, then 503 with Retry-After, and no audit entry or event is written', async () => {
    const email = uniqueEmail('kc-down');

    const response = await call('POST', '/auth/signup', {
      base: instance.url,
      body: { email, password: strongPassword, firstName: 'Ada', lastName: 'Down' },
    });

    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 503, title: 'Service Unavailable' });
    const outbox = await authDb(`SELECT id FROM outbox_events WHERE payload->'data'->>'email' = $1`, [email]);
    expect(outbox).toEqual([]);
    const audit = await authDb(`SELECT id FROM audit_entries WHERE after->>'email' = $1`, [email]);
    expect(audit).toEqual([]);
    expect(await findByEmail(email)).toBeUndefined();
  });

  it('when an admin lists users, then 503 with Retry-After', async () => {
    const response = await call('GET', '/auth/admin/users', { base: instance.url, token: adminToken });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('when an admin disables a user, then 503 and nothing is recorded', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const response = await call('POST', `/auth/admin/users/${id}/disable`, {
      base: instance.url,
      token: adminToken,
    });
    expect(response.status).toBe(503);
    expect(await authDb('SELECT id FROM audit_entries WHERE target = $1', [id])).toEqual([]);
  });

  it('when someone asks for a password reset, then 202 as always: an outage does not reveal anything either', async () => {
    const response = await call('POST', '/auth/password-reset', {
      base: instance.url,
      body: { email: uniqueEmail('kc-down') },
    });
    expect(response.status).toBe(202);
  });
});
