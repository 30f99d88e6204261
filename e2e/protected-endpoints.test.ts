import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@platform/platform/environment';
import { serviceUrl } from '@platform/test-support/stack';
import {
  otherAudienceToken,
  serviceToken,
  tokenSignedByAnotherKey,
  userToken,
} from '@platform/test-support/tokens';

/** One protected endpoint per service, a user allowed on it, and a real token that lacks its role. */
const endpoints: {
  service: ServiceName;
  path: string;
  allowed: () => Promise<string>;
  lacking: () => Promise<string>;
}[] = [
  {
    service: 'auth',
    path: '/auth/audit',
    allowed: () => userToken('ada'),
    lacking: () => userToken('alice'),
  },
  {
    service: 'user',
    path: '/users/me',
    allowed: () => userToken('alice'),
    lacking: () => serviceToken('billing'),
  },
  {
    service: 'billing',
    path: '/billing/invoices',
    allowed: () => userToken('alice'),
    lacking: () => serviceToken('billing'),
  },
];

async function get(url: string, token?: string) {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = response.headers.get('content-type')?.includes('json')
    ? await response.json()
    : await response.text();
  return { status: response.status, headers: response.headers, body };
}

describe.each(endpoints)('$service service: GET $path', ({ service, path, allowed, lacking }) => {
  const url = () => `${serviceUrl(service)}${path}`;
  let validToken: string;

  beforeAll(async () => {
    validToken = await allowed();
  });

  it('when the token is valid and carries the role, then 200', async () => {
    const response = await get(url(), validToken);
    expect(response.status).toBe(200);
  });

  it('when there is no token, then 401 with a Bearer challenge and a problem body', async () => {
    const response = await get(url());
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 401 });
  });

  it('when the token was issued for another audience, then 401', async () => {
    const response = await get(url(), await otherAudienceToken());
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('when the token is signed by another key, then 401', async () => {
    const response = await get(url(), await tokenSignedByAnotherKey(validToken));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('when the token is valid but lacks the role, then 403', async () => {
    const response = await get(url(), await lacking());
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 403 });
  });
});
