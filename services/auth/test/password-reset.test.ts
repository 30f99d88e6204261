import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesTo, waitForMessages } from '@platform/dev/smtp-sink/mailbox';
import type { TestUser } from '@platform/test-support/keycloak-users';
import type { ApiResponse } from '@platform/test-support/service-api';
import { passwordLogin } from '@platform/test-support/tokens';
import { authDb, call, uniqueEmail } from './support/auth-stack.js';
import { actionLinkOf } from './support/email-links.js';
import { createVerifiedPerson, keycloakAdmin, removePeople } from './support/keycloak-fixtures.js';

const created = new Set<string>();
let existing: TestUser;

beforeAll(async () => {
  existing = await createVerifiedPerson('reset');
  created.add(existing.id);
});

afterAll(async () => {
  await removePeople(created);
});

const requestReset = (email: string) => call('POST', '/auth/password-reset', { body: { email } });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('POST /auth/password-reset', () => {
  it('when the address has an account or none, then both answers are 202 with the same body and similar timing', async () => {
    const known: ApiResponse[] = [];
    const unknown: ApiResponse[] = [];
    // Interleaved, so a slow moment of the shared machine hits both kinds alike.
    for (let round = 0; round < 5; round += 1) {
      known.push(await requestReset(existing.email));
      unknown.push(await requestReset(uniqueEmail('nobody')));
    }

    for (const response of [...known, ...unknown]) {
      expect(response.status).toBe(202);
      expect(response.body).toEqual(known[0]!.body);
      expect(response.headers.get('content-type')).toBe(known[0]!.headers.get('content-type'));
    }
    // Keycloak's lookup and mail take tens of milliseconds; none of that may show in the answer.
    const difference = Math.abs(
      median(known.map((r) => r.elapsedMs)) - median(unknown.map((r) => r.elapsedMs)),
    );
    expect(difference).toBeLessThan(25);
  });

  it('when the address has an account, then Keycloak mails it an update-password link', async () => {
    const [message] = await waitForMessages(existing.email);

    expect(message!.subject).toBe('Update Your Account');
    expect(message!.text).toContain('Update Password');
    expect(actionLinkOf(message!)).toContain('/realms/platform/login-actions/action-token?key=');
    const rows = await authDb('SELECT actor, action FROM audit_entries WHERE target = $1', [existing.id]);
    expect(rows[0]).toEqual({ actor: 'anonymous', action: 'user.password_reset_requested' });
  });

  it('when the address has no account, then no mail is sent to it', async () => {
    const email = uniqueEmail('nobody');

    expect((await requestReset(email)).status).toBe(202);

    await sleep(1500);
    expect(await messagesTo(email)).toEqual([]);
  });

  it('when the account is disabled, then 202 as always but no mail is sent', async () => {
    const disabled = await createVerifiedPerson('reset-disabled');
    created.add(disabled.id);
    await keycloakAdmin().users.update({ id: disabled.id }, { enabled: false });

    expect((await requestReset(disabled.email)).status).toBe(202);

    await sleep(1500);
    expect(await messagesTo(disabled.email)).toEqual([]);
  });

  it('when a reset was requested, then the password still works until the link is used', async () => {
    await expect(passwordLogin(existing.email, existing.password)).resolves.toMatchObject({
      token_type: 'Bearer',
    });
  });

  it.each<[string, unknown]>([
    ['the e-mail is missing', {}],
    ['the e-mail is not an address', { email: 'not-an-address' }],
    ['an unknown field is sent', { email: 'someone@example.test', password: 'x' }],
  ])('when %s, then 400', async (_case, body) => {
    const response = await call('POST', '/auth/password-reset', { body });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});
