import type { ServiceClientConfig } from '../config/keycloak-config.js';
import type { AccessTokens } from './fresh-token-retry.js';
import { isTransportFailure, KeycloakUnavailable } from './keycloak-unavailable.js';

export interface ClientCredentialsOptions {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Fetch a new token this long before the current one expires, so no call carries a dying token. */
  readonly refreshBeforeExpiryMs?: number;
  readonly timeoutMs?: number;
}

interface CachedToken {
  readonly accessToken: string;
  readonly refreshAt: number;
}

/**
 * A service's own access token from the client-credentials grant, cached until shortly before
 * it expires. Concurrent callers share one token request. This is also what the Keycloak admin
 * client is given (registerTokenProvider): its own refresh cannot renew client-credentials tokens.
 */
export class ClientCredentialsTokens implements AccessTokens {
  private cached: CachedToken | undefined;
  private inFlight: Promise<CachedToken> | undefined;
  private readonly refreshBeforeExpiryMs: number;
  private readonly timeoutMs: number;
  /** How many tokens were fetched; lets tests prove the cache and the shared refresh. */
  fetches = 0;

  constructor(private readonly options: ClientCredentialsOptions) {
    this.refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** The tokens of the service's own client, as its configuration names it. */
  static fromConfig(config: ServiceClientConfig): ClientCredentialsTokens {
    return new ClientCredentialsTokens({
      tokenUrl: config.OIDC_TOKEN_URL,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
    });
  }

  async getAccessToken(): Promise<string> {
    if (this.cached && Date.now() < this.cached.refreshAt) return this.cached.accessToken;
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    this.cached = await this.inFlight;
    return this.cached.accessToken;
  }

  /** Forgets the cached token, e.g. after Keycloak answered 401 to it. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<CachedToken> {
    this.fetches += 1;
    const requestedAt = Date.now();
    let response: Response;
    try {
      response = await fetch(this.options.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(
            `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
          ).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      if (isTransportFailure(error)) {
        throw new KeycloakUnavailable(`token endpoint unreachable: ${(error as Error).message}`, {
          cause: error,
        });
      }
      throw error;
    }
    if (response.status >= 500) throw new KeycloakUnavailable(`token endpoint answered ${response.status}`);
    if (!response.ok) {
      // A rejected client (wrong secret, disabled client) is a configuration fault, not the caller's.
      throw new Error(
        `client ${this.options.clientId} was refused a token: ${response.status} ${await response.text()}`,
      );
    }
    const body = (await response.json()) as { access_token: string; expires_in: number };
    const lifetimeMs = body.expires_in * 1000;
    const margin = Math.min(this.refreshBeforeExpiryMs, lifetimeMs / 2);
    return { accessToken: body.access_token, refreshAt: requestedAt + lifetimeMs - margin };
  }
}
