import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '@platform/test-support/keycloak-users';
import { passwordLogin, userToken } from '@platform/test-support/tokens';
import { authDb, call, refresh } from './support/auth-stack.js';
import { EventWatch } from './support/event-watch.js';
import {
  createVerifiedPerson,
  effectiveRealmRoles,
  idOf,
  keycloakAdmin,
  removePeople,
} from './support/keycloak-fixtures.js';

const created = new Set<string>();
const tokens: Record<string, string> = {};
let events: EventWatch;
let adaId: string;

beforeAll(async () => {
  events = await EventWatch.start(['user.disabled', 'user.enabled', 'user.deleted']);
  for (const name of ['alice', 'sam', 'ada', 'bill']) tokens[name] = await userToken(name);
  adaId = await idOf('ada');
});

afterAll(async () => {
  await events.stop();
  await removePeople(created);
});

async function person(label: string): Promise<TestUser> {
  const account = await createVerifiedPerson(label);
  created.add(account.id);
  return account;
}

interface AuditRow {
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
}

const auditOf = (target: string) =>
  authDb<AuditRow>(
    'SELECT actor, action, target, before, after, request_id FROM audit_entries WHERE target = $1 ORDER BY occurred_at, id',
    [target],
  );

describe('user administration: who may call what', () => {
  let target: TestUser;
  beforeAll(async () => {
    target = await person('matrix');
  });

  const reads = () => [
    ['GET', '/auth/admin/users'],
    ['GET', `/auth/admin/users/${target.id}`],
  ];
  const writes = () => [
    ['POST', `/auth/admin/users/${target.id}/disable`],
    ['POST', `/auth/admin/users/${target.id}/enable`],
    ['PUT', `/auth/admin/users/${target.id}/roles/support`],
    ['DELETE', `/auth/admin/users/${target.id}/roles/support`],
    ['DELETE', `/auth/admin/users/${target.id}`],
    ['GET', '/auth/audit'],
  ];

  it('when there is no token, then every route answers 401', async () => {
    for (const [method, path] of [...reads(), ...writes()]) {
      expect((await call(method!, path!)).status, `${method} ${path}`).toBe(401);
    }
  });

  it.each(['alice', 'bill'])(
    'when %s (neither admin nor support) calls, then every route answers 403',
    async (name) => {
      for (const [method, path] of [...reads(), ...writes()]) {
        expect((await call(method!, path!, { token: tokens[name] })).status, `${method} ${path}`).toBe(403);
      }
    },
  );

  it('when support calls, then reads answer 200 and changes 403', async () => {
    for (const [method, path] of reads()) {
      expect((await call(method!, path!, { token: tokens.sam })).status, `${method} ${path}`).toBe(200);
    }
    for (const [method, path] of writes()) {
      expect((await call(method!, path!, { token: tokens.sam })).status, `${method} ${path}`).toBe(403);
    }
    expect((await keycloakAdmin().users.findOne({ id: target.id }))?.enabled).toBe(true);
  });

  it('when an admin calls, then every route answers with success', async () => {
    for (const [method, path] of [...reads(), ...writes()]) {
      const status = method === 'DELETE' && path === `/auth/admin/users/${target.id}` ? 204 : 200;
      expect((await call(method!, path!, { token: tokens.ada })).status, `${method} ${path}`).toBe(status);
    }
  });
});

describe('GET /auth/admin/users', () => {
  it('when an admin lists users page by page, then the pages follow each other without overlap', async () => {
    const first = await call('GET', '/auth/admin/users?limit=2', { token: tokens.ada });
    expect(first.status).toBe(200);
    const firstPage = first.body as { items: { id: string; username: string }[]; nextCursor: string | null };
    expect(firstPage.items).toHaveLength(2);
    expect(firstPage.nextCursor).toEqual(expect.any(String));

    const second = await call('GET', `/auth/admin/users?limit=2&cursor=${firstPage.nextCursor}`, {
      token: tokens.ada,
    });
    const secondPage = second.body as { items: { id: string }[] };
    expect(second.status).toBe(200);
    expect(secondPage.items.length).toBeGreaterThan(0);
    const firstIds = new Set(firstPage.items.map((item) => item.id));
    expect(secondPage.items.some((item) => firstIds.has(item.id))).toBe(false);
  });

  it('when an admin searches, then only matching people are listed, without service accounts', async () => {
    const response = await call('GET', '/auth/admin/users?search=ada%40example.test', { token: tokens.ada });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      items: [{ id: adaId, username: 'ada', email: 'ada@example.test', enabled: true, emailVerified: true }],
      nextCursor: null,
    });
    const accounts = await call('GET', '/auth/admin/users?search=service-account', { token: tokens.ada });
    expect((accounts.body as { items: unknown[] }).items).toEqual([]);
  });

  it('when the cursor was not issued by the API, then 400 naming the cursor', async () => {
    const response = await call('GET', '/auth/admin/users?cursor=bm90LWEtY3Vyc29y', { token: tokens.ada });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field: 'cursor' }] });
  });

  it('when a cursor is used with another search, then 400', async () => {
    const first = await call('GET', '/auth/admin/users?limit=1', { token: tokens.ada });
    const cursor = (first.body as { nextCursor: string }).nextCursor;
    const response = await call('GET', `/auth/admin/users?limit=1&search=ada&cursor=${cursor}`, {
      token: tokens.ada,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field: 'cursor' }] });
  });

  it('when the limit is out of range, then 400', async () => {
    expect((await call('GET', '/auth/admin/users?limit=0', { token: tokens.ada })).status).toBe(400);
    expect((await call('GET', '/auth/admin/users?limit=101', { token: tokens.ada })).status).toBe(400);
  });
});

describe('GET /auth/admin/users/:id', () => {
  it('when support reads a user, then the account comes with its effective realm roles', async () => {
    const response = await call('GET', `/auth/admin/users/${adaId}`, { token: tokens.sam });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: adaId, username: 'ada', enabled: true });
    expect((response.body as { roles: string[] }).roles).toEqual(expect.arrayContaining(['admin', 'user']));
  });

  it('when no user has the id, then 404', async () => {
    const response = await call('GET', `/auth/admin/users/${randomUUID()}`, { token: tokens.ada });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('when the id is not a UUID, then 400 naming the id', async () => {
    const response = await call('GET', '/auth/admin/users/not-a-uuid', { token: tokens.ada });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field: 'id' }] });
  });

  it('when the id is a service account, then 404: services are not administered here', async () => {
    const serviceAccount = await idOf('service-account-auth-service');
    expect((await call('GET', `/auth/admin/users/${serviceAccount}`, { token: tokens.ada })).status).toBe(
      404,
    );
    expect(
      (await call('POST', `/auth/admin/users/${serviceAccount}/disable`, { token: tokens.ada })).status,
    ).toBe(404);
  });
});

describe('disabling and enabling an account', () => {
  let target: TestUser;
  let refreshToken: string;
  const requestId = `disable-${randomUUID()}`;

  beforeAll(async () => {
    target = await person('disable');
    const refreshed = await refresh((await passwordLogin(target.email, target.password)).refresh_token);
    expect(refreshed.status).toBe(200);
    // Refresh tokens rotate (the realm revokes used ones): the newest is the one a client would hold.
    refreshToken = refreshed.body.refresh_token as string;
  });

  it('when an admin disables the account, then 200, Keycloak has it disabled and its refresh token no longer works', async () => {
    const response = await call('POST', `/auth/admin/users/${target.id}/disable`, {
      token: tokens.ada,
      headers: { 'x-request-id': requestId },
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: target.id, enabled: false });
    expect((await keycloakAdmin().users.findOne({ id: target.id }))?.enabled).toBe(false);
    const refreshed = await refresh(refreshToken);
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('when the account was disabled, then user.disabled is emitted once with an audit entry naming the admin', async () => {
    const event = await events.waitFor('user.disabled', target.id);
    expect(event.data).toMatchObject({ userId: target.id, email: target.email });
    expect(await auditOf(target.id)).toEqual([
      {
        actor: adaId,
        action: 'user.disabled',
        target: target.id,
        before: { enabled: true },
        after: { enabled: false },
        request_id: requestId,
      },
    ]);
  });

  it('when an admin disables it again, then 200 and nothing more is recorded', async () => {
    const response = await call('POST', `/auth/admin/users/${target.id}/disable`, { token: tokens.ada });
    expect(response.status).toBe(200);
    expect(await auditOf(target.id)).toHaveLength(1);
  });

  it('when an admin enables it again, then user.enabled is emitted, and the old sessions stay logged out', async () => {
    const response = await call('POST', `/auth/admin/users/${target.id}/enable`, { token: tokens.ada });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ enabled: true });
    await events.waitFor('user.enabled', target.id);
    expect((await auditOf(target.id)).map((row) => row.action)).toEqual(['user.disabled', 'user.enabled']);
    // Disabling logged the sessions out, so even an enabled account cannot revive the old token.
    expect((await refresh(refreshToken)).status).toBe(400);
    await expect(passwordLogin(target.email, target.password)).resolves.toMatchObject({
      token_type: 'Bearer',
    });
  });

  it('when an admin tries to disable their own account, then 403 and it stays enabled', async () => {
    const response = await call('POST', `/auth/admin/users/${adaId}/disable`, { token: tokens.ada });
    expect(response.status).toBe(403);
    expect((await keycloakAdmin().users.findOne({ id: adaId }))?.enabled).toBe(true);
  });
});

describe('granting and removing realm roles', () => {
  let target: TestUser;

  beforeAll(async () => {
    target = await person('roles');
  });

  it('when an admin grants support, then the account holds it and the audit entry shows before and after', async () => {
    const response = await call('PUT', `/auth/admin/users/${target.id}/roles/support`, { token: tokens.ada });

    expect(response.status).toBe(200);
    expect((response.body as { roles: string[] }).roles).toContain('support');
    expect(await effectiveRealmRoles(target.id)).toContain('support');
    expect(await auditOf(target.id)).toEqual([
      expect.objectContaining({
        actor: adaId,
        action: 'user.role_granted',
        before: { roles: ['default-roles-platform'] },
        after: { roles: ['default-roles-platform', 'support'] },
      }),
    ]);
  });

  it('when an admin grants a role the account already holds, then 200 and nothing more is recorded', async () => {
    const response = await call('PUT', `/auth/admin/users/${target.id}/roles/support`, { token: tokens.ada });
    expect(response.status).toBe(200);
    expect(await auditOf(target.id)).toHaveLength(1);
  });

  it('when an admin removes support, then the account no longer holds it', async () => {
    const response = await call('DELETE', `/auth/admin/users/${target.id}/roles/support`, {
      token: tokens.ada,
    });

    expect(response.status).toBe(200);
    expect((response.body as { roles: string[] }).roles).not.toContain('support');
    expect(await effectiveRealmRoles(target.id)).not.toContain('support');
    expect((await auditOf(target.id)).map((row) => row.action)).toEqual([
      'user.role_granted',
      'user.role_revoked',
    ]);
  });

  it('when an admin grants admin, then the account can administer users', async () => {
    const response = await call('PUT', `/auth/admin/users/${target.id}/roles/admin`, { token: tokens.ada });
    expect(response.status).toBe(200);
    const token = (await passwordLogin(target.email, target.password)).access_token;
    expect((await call('GET', '/auth/admin/users?limit=1', { token })).status).toBe(200);
  });

  it('when an admin removes their own admin role, then 403 and they stay admin', async () => {
    const response = await call('DELETE', `/auth/admin/users/${adaId}/roles/admin`, { token: tokens.ada });

    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ detail: 'You cannot remove your own admin role' });
    expect(await effectiveRealmRoles(adaId)).toContain('admin');
  });

  it('when the role is not on the allow-list, then 400 naming the role', async () => {
    for (const role of ['offline_access', 'users:read-internal', 'default-roles-platform', 'nope']) {
      const response = await call('PUT', `/auth/admin/users/${target.id}/roles/${encodeURIComponent(role)}`, {
        token: tokens.ada,
      });
      expect(response.status, role).toBe(400);
      expect(response.body).toMatchObject({ errors: [{ field: 'role' }] });
    }
  });

  it('when the role comes only with the default roles, then removing it is 409', async () => {
    const response = await call('DELETE', `/auth/admin/users/${target.id}/roles/user`, { token: tokens.ada });
    expect(response.status).toBe(409);
    expect(await effectiveRealmRoles(target.id)).toContain('user');
  });

  it('when the user does not exist, then granting is 404', async () => {
    const response = await call('PUT', `/auth/admin/users/${randomUUID()}/roles/support`, {
      token: tokens.ada,
    });
    expect(response.status).toBe(404);
  });
});

describe('DELETE /auth/admin/users/:id', () => {
  it('when an admin deletes an account, then 204, it is gone from Keycloak, and user.deleted is emitted with its audit entry', async () => {
    const target = await person('delete');

    const response = await call('DELETE', `/auth/admin/users/${target.id}`, { token: tokens.ada });

    expect(response.status).toBe(204);
    expect(await keycloakAdmin().users.findOne({ id: target.id })).toBeFalsy();
    const event = await events.waitFor('user.deleted', target.id);
    expect(event.data).toMatchObject({ userId: target.id, email: target.email });
    expect(await auditOf(target.id)).toEqual([
      expect.objectContaining({ actor: adaId, action: 'user.deleted', after: null }),
    ]);
    expect((await call('GET', `/auth/admin/users/${target.id}`, { token: tokens.ada })).status).toBe(404);
  });

  it('when the account does not exist, then 404 and nothing is recorded', async () => {
    const id = randomUUID();
    expect((await call('DELETE', `/auth/admin/users/${id}`, { token: tokens.ada })).status).toBe(404);
    expect(await auditOf(id)).toEqual([]);
  });

  it('when an admin deletes their own account, then 403', async () => {
    expect((await call('DELETE', `/auth/admin/users/${adaId}`, { token: tokens.ada })).status).toBe(403);
  });
});

describe('GET /auth/audit filters', () => {
  let target: TestUser;
  const requestId = `audit-filter-${randomUUID()}`;

  beforeAll(async () => {
    target = await person('audit');
    await call('PUT', `/auth/admin/users/${target.id}/roles/billing-admin`, {
      token: tokens.ada,
      headers: { 'x-request-id': requestId },
    });
    await call('DELETE', `/auth/admin/users/${target.id}/roles/billing-admin`, { token: tokens.ada });
  });

  it('when filtered by target and action, then only those entries are listed', async () => {
    const response = await call('GET', `/auth/audit?target=${target.id}&action=user.role_revoked`, {
      token: tokens.ada,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      items: [{ target: target.id, action: 'user.role_revoked', actor: adaId }],
    });
    expect((response.body as { items: unknown[] }).items).toHaveLength(1);
  });

  it('when filtered by request id, then the entry of that request is listed', async () => {
    const response = await call('GET', `/auth/audit?requestId=${requestId}`, { token: tokens.ada });
    expect(response.body).toMatchObject({
      items: [{ target: target.id, action: 'user.role_granted', requestId }],
    });
  });

  it('when filtered by a time window, then entries outside it are left out', async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    const later = await call('GET', `/auth/audit?target=${target.id}&since=${future}`, { token: tokens.ada });
    expect((later.body as { items: unknown[] }).items).toEqual([]);
    const before = await call('GET', `/auth/audit?target=${target.id}&until=${future}`, {
      token: tokens.ada,
    });
    expect((before.body as { items: unknown[] }).items).toHaveLength(2);
  });

  it('when a filter is malformed, then 400 naming it', async () => {
    const response = await call('GET', '/auth/audit?since=yesterday', { token: tokens.ada });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field: 'since' }] });
  });
});
