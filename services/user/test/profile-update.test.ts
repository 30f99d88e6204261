import type { EventEnvelope } from '@platform/contracts';
import type { RunningService } from '@platform/kit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForMessages } from '@platform/dev/smtp-sink/mailbox';
import { Broker } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import {
  createTestUser,
  deleteTestUsers,
  keycloakAdmin,
  type TestUser,
} from '@platform/test-support/keycloak-users';
import { serviceDatabase } from '@platform/test-support/postgres';
import {
  startSecondInstance,
  stopSecondInstance,
  unreachableKeycloak,
} from '@platform/test-support/service-instance';
import { serviceUrl } from '@platform/test-support/stack';
import { service } from '../src/service.js';
import { call } from './support/user-api.js';
import { deleteRows, outboxEventsAbout, rowOf } from './support/users-database.js';

describe('PATCH /users/me', () => {
  let db: pg.Pool;
  let broker: Broker;
  let published: EventEnvelope[];
  const created: TestUser[] = [];

  beforeAll(async () => {
    db = serviceDatabase('user');
    broker = await Broker.connect();
    published = await broker.watch('user.profile_updated');
  });

  afterAll(async () => {
    await broker.close();
    await deleteRows(
      db,
      created.map((user) => user.id),
    );
    await deleteTestUsers(created);
    await db.end();
  });

  /**
   * A new Keycloak user whose profile exists, with a token for them. The Keycloak events bridge
   * announces every new user; its user.registered is applied first, so it cannot land in the middle
   * of a test and move the row's version.
   */
  async function provisionedUser(): Promise<{ user: TestUser; token: string }> {
    const user = await createTestUser('patch');
    created.push(user);
    await eventually(async () => ((await rowOf(db, user.id))?.identity_event_at ? true : undefined), {
      timeoutMs: 15_000,
      what: `the bridged registration of ${user.username}`,
    });
    const token = await user.token();
    expect((await call('GET', '/users/me', { token })).status).toBe(200);
    return { user, token };
  }

  it('when a body mixes Keycloak-owned and local fields, then each lands with its owner and one event is published', async () => {
    const { user, token } = await provisionedUser();

    const response = await call('PATCH', '/users/me', {
      token,
      body: {
        firstName: 'Grace',
        lastName: 'Hopper',
        displayName: 'Amazing Grace',
        avatarUrl: 'https://images.example.test/grace.png',
        settings: { theme: 'dark', locale: 'en-GB' },
      },
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      firstName: 'Grace',
      lastName: 'Hopper',
      displayName: 'Amazing Grace',
      avatarUrl: 'https://images.example.test/grace.png',
      settings: { theme: 'dark', locale: 'en-GB' },
      version: 2,
    });
    expect(response.headers.get('etag')).toBe('"2"');
    const inKeycloak = await (await keycloakAdmin()).users.findOne({ id: user.id });
    expect(inKeycloak).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', email: user.email });
    expect(await rowOf(db, user.id)).toMatchObject({
      display_name: 'Amazing Grace',
      avatar_url: 'https://images.example.test/grace.png',
      settings: { theme: 'dark', locale: 'en-GB' },
      version: 2,
    });
    const event = await eventually(async () => published.find((envelope) => envelope.subject === user.id));
    expect(event).toMatchObject({
      type: 'user.profile_updated',
      version: 1,
      data: {
        userId: user.id,
        username: user.username,
        email: user.email,
        firstName: 'Grace',
        lastName: 'Hopper',
      },
    });
  });

  it('when settings are patched, then they are merged key by key into the stored ones', async () => {
    const { user, token } = await provisionedUser();
    await call('PATCH', '/users/me', { token, body: { settings: { theme: 'dark', locale: 'de' } } });

    const response = await call('PATCH', '/users/me', { token, body: { settings: { theme: 'light' } } });

    expect(response.status).toBe(200);
    expect((await rowOf(db, user.id))?.settings).toEqual({ theme: 'light', locale: 'de' });
  });

  it('when the e-mail changes, then Keycloak holds it unverified and mails a verification link', async () => {
    const { user, token } = await provisionedUser();
    const newEmail = `changed-${user.username}@example.test`;

    const response = await call('PATCH', '/users/me', { token, body: { email: newEmail } });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ email: newEmail, emailVerified: false, version: 2 });
    const inKeycloak = await (await keycloakAdmin()).users.findOne({ id: user.id });
    expect(inKeycloak).toMatchObject({ email: newEmail, emailVerified: false });
    const [mail] = await waitForMessages(newEmail);
    expect(mail?.subject).toMatch(/verif/i);
  });

  it('when nothing would change, then the version stays and no event is written', async () => {
    const { user, token } = await provisionedUser();

    const response = await call('PATCH', '/users/me', {
      token,
      body: { firstName: 'Test', displayName: 'Test Person', email: user.email.toUpperCase() },
    });

    expect(response.status).toBe(200);
    expect(response.body.version).toBe(1);
    expect(await outboxEventsAbout(db, 'user.profile_updated', user.id)).toEqual([]);
  });

  describe('If-Match', () => {
    it('when If-Match names the current version, then the change is applied', async () => {
      const { token } = await provisionedUser();

      const response = await call('PATCH', '/users/me', {
        token,
        headers: { 'if-match': '"1"' },
        body: { displayName: 'Matched' },
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ displayName: 'Matched', version: 2 });
    });

    it('when If-Match names a stale version, then 412 and nothing changes anywhere', async () => {
      const { user, token } = await provisionedUser();
      await call('PATCH', '/users/me', { token, body: { displayName: 'Second' } });

      const response = await call('PATCH', '/users/me', {
        token,
        headers: { 'if-match': '"1"' },
        body: { displayName: 'Lost update', firstName: 'Lost' },
      });

      expect(response.status).toBe(412);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await rowOf(db, user.id)).toMatchObject({ display_name: 'Second', version: 2 });
      expect((await (await keycloakAdmin()).users.findOne({ id: user.id }))?.firstName).toBe('Test');
    });

    it('when If-Match carries only a weak tag, then 412, since If-Match compares strongly', async () => {
      const { token } = await provisionedUser();

      const response = await call('PATCH', '/users/me', {
        token,
        headers: { 'if-match': 'W/"1"' },
        body: { displayName: 'Weak' },
      });

      expect(response.status).toBe(412);
    });

    it('when If-Match is not an entity tag, then 400 naming the header', async () => {
      const { token } = await provisionedUser();

      const response = await call('PATCH', '/users/me', {
        token,
        headers: { 'if-match': '1' },
        body: { displayName: 'Unquoted' },
      });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'if-match', message: expect.any(String) }]);
    });
  });

  describe('validation', () => {
    let token: string;
    let user: TestUser;

    beforeAll(async () => {
      ({ user, token } = await provisionedUser());
    });

    it.each([
      ['an empty body', {}, ['body']],
      ['a malformed e-mail', { email: 'not-an-address' }, ['email']],
      ['an avatar that is not https', { avatarUrl: 'http://images.example.test/a.png' }, ['avatarUrl']],
      ['an empty first name', { firstName: '   ' }, ['firstName']],
      ['an unknown setting', { settings: { fontSize: 12 } }, ['settings']],
      ['a setting of the wrong type', { settings: { theme: 'pink' } }, ['settings.theme']],
      ['a field nobody may change here', { status: 'active' }, ['body']],
      ['several bad fields at once', { email: 'x', displayName: '' }, ['email', 'displayName']],
    ])(
      'when the body has %s, then 400 naming each invalid field and nothing changes',
      async (_case, body, fields) => {
        const response = await call('PATCH', '/users/me', { token, body });

        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        const errors = response.body.errors as { field: string; message: string }[];
        expect(errors.map((error) => error.field).sort()).toEqual([...fields].sort());
        expect(errors.every((error) => error.message !== '')).toBe(true);
        expect(await rowOf(db, user.id)).toMatchObject({ version: 1 });
      },
    );

    it('when the body is not JSON, then 400', async () => {
      const response = await fetch(`${serviceUrl('user')}/users/me`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"displayName":',
      });

      expect(response.status).toBe(400);
    });

    it('when Keycloak refuses a name, then 400 naming the field and nothing local is committed', async () => {
      const response = await call('PATCH', '/users/me', {
        token,
        body: { firstName: '<script>', displayName: 'Should not stick' },
      });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'firstName', message: expect.any(String) }]);
      expect(await rowOf(db, user.id)).toMatchObject({ display_name: 'Test Person', version: 1 });
    });
  });

  describe('when the Keycloak write fails', () => {
    it('when the e-mail belongs to another account, then 409 and no local change or event is committed', async () => {
      const { user, token } = await provisionedUser();
      const other = await createTestUser('patch-other');
      created.push(other);

      const response = await call('PATCH', '/users/me', {
        token,
        body: { email: other.email, displayName: 'Must roll back', settings: { theme: 'dark' } },
      });

      expect(response.status).toBe(409);
      expect(await rowOf(db, user.id)).toMatchObject({
        display_name: 'Test Person',
        settings: {},
        version: 1,
      });
      expect(await outboxEventsAbout(db, 'user.profile_updated', user.id)).toEqual([]);
    });

    describe('when Keycloak is unreachable', () => {
      let instance: RunningService;

      beforeAll(async () => {
        instance = await startSecondInstance('user', service, { overrides: await unreachableKeycloak() });
      });

      afterAll(async () => {
        await stopSecondInstance(instance);
      });

      it('then 503 with Retry-After and the row, Keycloak and the outbox are untouched', async () => {
        const { user, token } = await provisionedUser();

        const response = await call('PATCH', '/users/me', {
          base: instance.url,
          token,
          body: { displayName: 'Offline', firstName: 'Offline' },
        });

        expect(response.status).toBe(503);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(await rowOf(db, user.id)).toMatchObject({ display_name: 'Test Person', version: 1 });
        expect((await (await keycloakAdmin()).users.findOne({ id: user.id }))?.firstName).toBe('Test');
        expect(await outboxEventsAbout(db, 'user.profile_updated', user.id)).toEqual([]);
      });
    });
  });
});
