/**
 * The kit's Admin API client against the stack's real Keycloak: a token Keycloak no longer accepts
 * (as after a realm re-import) is renewed once, not served until it would have expired.
 */
import { describe, expect, it } from 'vitest';
import { ClientCredentialsTokens } from '../src/keycloak/client-credentials-tokens.js';
import { createKeycloakAdmin } from '../src/keycloak/keycloak-admin.js';
import { secret } from '@platform/platform/environment';
import { environment, oidc, secrets } from '@platform/test-support/stack';

/** Hands out a token Keycloak rejects until it is told to forget it. */
class RejectedFirstTokens extends ClientCredentialsTokens {
  stale = true;
  override async getAccessToken(): Promise<string> {
    return this.stale ? 'a-token-keycloak-no-longer-accepts' : super.getAccessToken();
  }
  override invalidate(): void {
    this.stale = false;
    super.invalidate();
  }
}

describe('createKeycloakAdmin', () => {
  it('when Keycloak answers 401 to the cached token, then the call is retried once with a fresh token', async () => {
    const tokens = new RejectedFirstTokens({
      tokenUrl: oidc.tokenUrl,
      clientId: 'user-service',
      clientSecret: secret(secrets, 'USER_SERVICE_CLIENT_SECRET'),
    });
    const admin = createKeycloakAdmin({
      url: environment.keycloak.internalUrl,
      realm: environment.realm,
      tokens,
    });

    const users = await admin.users.find({ username: 'alice', exact: true });

    expect(users.map((user) => user.username)).toEqual(['alice']);
    expect(tokens.stale).toBe(false);
    expect(tokens.fetches).toBe(1);
  });

  it('when the fresh token is refused too, then the 401 reaches the caller (no loop)', async () => {
    const tokens = new RejectedFirstTokens({
      tokenUrl: oidc.tokenUrl,
      clientId: 'user-service',
      clientSecret: 'not-the-secret',
    });
    const admin = createKeycloakAdmin({
      url: environment.keycloak.internalUrl,
      realm: environment.realm,
      tokens,
    });

    await expect(admin.users.find({ username: 'alice' })).rejects.toThrow();
    expect(tokens.fetches).toBe(1);
  });
});
