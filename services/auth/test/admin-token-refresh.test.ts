import { setTimeout as sleep } from 'node:timers/promises';
import { ClientCredentialsTokens, createKeycloakAdmin } from '@platform/kit';
import { describe, expect, it } from 'vitest';
import { environment } from '@platform/test-support/stack';
import { userToken } from '@platform/test-support/tokens';
import { KeycloakUserDirectory } from '../src/data/keycloak-user-directory.js';
import { authServiceClient, call } from './support/auth-stack.js';

/** How long Keycloak lets the auth service's own access token live (short in the dev realm). */
async function authServiceTokenLifetimeSeconds(): Promise<number> {
  const { tokenUrl, clientId, clientSecret } = authServiceClient();
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return ((await response.json()) as { expires_in: number }).expires_in;
}

describe('the Admin API token over more than one token lifetime', () => {
  // @keycloak/keycloak-admin-client 26.5.4–26.7.4 cannot renew a client-credentials token: without
  // the service's own token provider every call after the first token expired would fail.
  it(
    'when the admin token has expired, then the running service and concurrent callers share one fresh token',
    { timeout: 180_000 },
    async () => {
      const lifetime = await authServiceTokenLifetimeSeconds();
      expect(lifetime).toBeLessThanOrEqual(60);

      const tokens = new ClientCredentialsTokens(authServiceClient());
      const directory = new KeycloakUserDirectory(
        createKeycloakAdmin({ url: environment.keycloak.internalUrl, realm: environment.realm, tokens }),
      );
      await directory.search({ search: 'ada', first: 0, max: 1 });
      const adminToken = await userToken('ada');
      expect((await call('GET', '/auth/admin/users?limit=1', { token: adminToken })).status).toBe(200);
      expect(tokens.fetches).toBe(1);

      await sleep((lifetime + 5) * 1000);

      const results = await Promise.all(
        Array.from({ length: 5 }, () => directory.search({ search: 'ada', first: 0, max: 1 })),
      );
      expect(results.every((users) => users[0]?.username === 'ada')).toBe(true);
      expect(tokens.fetches).toBe(2);
      // The stack's auth service has lived through the same expiry with its own cached token.
      const responses = await Promise.all(
        Array.from({ length: 3 }, () => call('GET', '/auth/admin/users?limit=1', { token: adminToken })),
      );
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    },
  );
});
