/**
 * Defense in depth: the tokens the edge refuses are refused by every service too, when called
 * directly (as a caller inside the cluster could).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@platform/platform/environment';
import { serviceUrl } from '@platform/test-support/stack';
import { userToken } from '@platform/test-support/tokens';
import { badTokens, type BadToken } from './support/bad-tokens.js';
import { send } from '@platform/test-support/edge';

/** One protected route per service and a user whose valid token it accepts. */
const targets: { service: ServiceName; path: string; user: string }[] = [
  { service: 'auth', path: '/auth/audit', user: 'ada' },
  { service: 'user', path: '/users/me', user: 'alice' },
  { service: 'billing', path: '/billing/invoices', user: 'alice' },
];

describe.each(targets)('$service service called directly: GET $path', ({ service, path, user }) => {
  let valid: string;
  let cases: BadToken[];

  beforeAll(async () => {
    valid = await userToken(user);
    cases = await badTokens(valid);
  });

  it('when the token is valid, then 200', async () => {
    const response = await send(`${serviceUrl(service)}${path}`, {
      headers: { authorization: `Bearer ${valid}` },
    });
    expect(response.status).toBe(200);
  });

  it('when a valid token comes only in the query string, then 401 problem: the header is the only way in', async () => {
    const response = await send(`${serviceUrl(service)}${path}?access_token=${valid}`);
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['www-authenticate']).toContain('invalid_request');
  });

  it('when the token is bad in any of the edge matrix ways, then 401 problem', async () => {
    for (const { name, authorization } of cases) {
      const response = await send(`${serviceUrl(service)}${path}`, {
        headers: authorization ? { authorization } : {},
      });
      expect({ name, status: response.status }).toEqual({ name, status: 401 });
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });
});
