import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForMessages } from '@platform/dev/smtp-sink/mailbox';
import { authDb, call, strongPassword, uniqueEmail } from './support/auth-stack.js';
import { actionLinkOf, followActionLink } from './support/email-links.js';
import { EventWatch } from './support/event-watch.js';
import {
  effectiveRealmRoles,
  findByEmail,
  keycloakAdmin,
  removePeople,
} from './support/keycloak-fixtures.js';

const created = new Set<string>();
let events: EventWatch;

beforeAll(async () => {
  events = await EventWatch.start(['user.registered']);
});

afterAll(async () => {
  await events.stop();
  await removePeople(created);
});

async function signUp(body: Record<string, unknown>) {
  const response = await call('POST', '/auth/signup', { body });
  const id = (response.body as { id?: string }).id;
  if (id) created.add(id);
  return response;
}

const person = (email: string) => ({
  email,
  password: strongPassword,
  firstName: 'Grace',
  lastName: 'Hopper',
});

describe('POST /auth/signup', () => {
  let email: string;
  let userId: string;
  let requestId: string;

  beforeAll(async () => {
    email = uniqueEmail('signup');
    requestId = `signup-test-${Date.now()}`;
    const response = await call('POST', '/auth/signup', {
      body: person(email),
      headers: { 'x-request-id': requestId },
    });
    expect(response.status).toBe(201);
    userId = (response.body as { id: string }).id;
    created.add(userId);
  });

  it('when a person signs up, then 201 with the new account, enabled and not yet verified', async () => {
    const account = await findByEmail(email);
    expect(account).toMatchObject({
      id: userId,
      username: email,
      email,
      firstName: 'Grace',
      lastName: 'Hopper',
      enabled: true,
      emailVerified: false,
    });
  });

  it('when a person signs up, then the account holds the default role "user"', async () => {
    expect(await effectiveRealmRoles(userId)).toContain('user');
  });

  it('when a person signs up, then an audit entry records it with the request id', async () => {
    const rows = await authDb(
      'SELECT actor, action, target, request_id FROM audit_entries WHERE target = $1',
      [userId],
    );
    expect(rows).toEqual([
      { actor: 'anonymous', action: 'user.registered', target: userId, request_id: requestId },
    ]);
  });

  it('when a person signs up, then user.registered arrives from RabbitMQ exactly once', async () => {
    const event = await events.waitFor('user.registered', userId);
    expect(event).toMatchObject({
      version: 1,
      subject: userId,
      data: { userId, email, username: email, firstName: 'Grace', lastName: 'Hopper' },
    });
    // Long enough for a duplicate publish by the relay to show up.
    await sleep(1500);
    expect(events.about('user.registered', userId)).toHaveLength(1);
  });

  it('when the person follows the link in the verification e-mail, then Keycloak marks the address verified', async () => {
    const [message] = await waitForMessages(email);
    expect(message!.subject).toBe('Verify email');

    const page = await followActionLink(actionLinkOf(message!));

    expect(page).toContain('Your account has been updated');
    const account = await keycloakAdmin().users.findOne({ id: userId });
    expect(account?.emailVerified).toBe(true);
  });

  it('when the e-mail address already has an account, then 409 and nothing is recorded again', async () => {
    const response = await signUp({ ...person(email.toUpperCase()), firstName: 'Other' });

    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status: 409,
      detail: 'An account with this e-mail address already exists',
    });
    const rows = await authDb('SELECT id FROM audit_entries WHERE target = $1', [userId]);
    expect(rows).toHaveLength(1);
  });
});

describe('POST /auth/signup with a password the realm refuses', () => {
  // The realm's password policy, which the API document states and the service checks first.
  it.each([
    ['too short', 'Sh0rt', 'at least 10 characters'],
    ['without an upper-case letter', 'lowercase-only-1', 'upper-case'],
    ['without a digit', 'No-Digits-At-All', 'digit'],
  ])(
    'when the password is %s, then 400 naming the password and no account',
    async (_case, password, reason) => {
      const email = uniqueEmail('weak');

      const response = await signUp({ ...person(email), password });

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((response.body as { errors: { field: string; message: string }[] }).errors).toEqual([
        { field: 'password', message: expect.stringContaining(reason) },
      ]);
      expect(await findByEmail(email)).toBeUndefined();
    },
  );
});

describe('POST /auth/signup with invalid input', () => {
  const valid = () => person(uniqueEmail('invalid'));

  it.each<[string, Record<string, unknown>, string]>([
    ['the e-mail is missing', { password: strongPassword, firstName: 'A', lastName: 'B' }, 'email'],
    ['the e-mail is not an address', { ...valid(), email: 'not-an-address' }, 'email'],
    ['the e-mail is too long', { ...valid(), email: `${'a'.repeat(250)}@example.test` }, 'email'],
    ['the e-mail is a number', { ...valid(), email: 42 }, 'email'],
    ['the password is missing', { ...valid(), password: undefined }, 'password'],
    ['the password is empty', { ...valid(), password: '' }, 'password'],
    ['the password is absurdly long', { ...valid(), password: 'Aa1'.repeat(100) }, 'password'],
    ['the first name is missing', { ...valid(), firstName: undefined }, 'firstName'],
    ['the first name is blank', { ...valid(), firstName: '   ' }, 'firstName'],
    ['the last name has markup', { ...valid(), lastName: '<script>' }, 'lastName'],
    ['the last name is too long', { ...valid(), lastName: 'x'.repeat(101) }, 'lastName'],
    // Nobody can sign up with fields the service does not expect (e.g. roles).
    ['an unknown field is sent', { ...valid(), roles: ['admin'] }, 'body'],
  ])('when %s, then 400 naming the field and no account', async (_case, body, field) => {
    const response = await signUp(body);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const errors = (response.body as { errors: { field: string }[] }).errors;
    expect(errors.map((error) => error.field)).toContain(field);
    if (typeof body.email === 'string' && body.email.includes('@'))
      expect(await findByEmail(body.email)).toBeUndefined();
  });

  it('when the body is not JSON, then 400', async () => {
    const response = await call('POST', '/auth/signup', { rawBody: '{"email":' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, detail: 'Malformed JSON' });
  });

  it('when there is no body, then 400', async () => {
    const response = await call('POST', '/auth/signup');
    expect(response.status).toBe(400);
  });
});
