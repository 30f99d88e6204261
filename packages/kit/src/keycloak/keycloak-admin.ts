import KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import type { ClientCredentialsTokens } from './client-credentials-tokens.js';

export interface KeycloakAdminOptions {
  /** Keycloak's base URL as reachable from the service, e.g. http://keycloak:8080. */
  readonly url: string;
  readonly realm: string;
  /** The service's own client-credentials tokens; its service account holds the admin roles. */
  readonly tokens: ClientCredentialsTokens;
  /** Bound on every Admin API call, so a hung Keycloak becomes a 503, not a hung request. */
  readonly timeoutMs?: number;
}

export type KeycloakAdmin = KeycloakAdminClient;

/** An Admin API client for one realm, authenticated with the service's own token provider. */
export function createKeycloakAdmin({
  url,
  realm,
  tokens,
  timeoutMs = 5_000,
}: KeycloakAdminOptions): KeycloakAdmin {
  const client = new KeycloakAdminClient({ baseUrl: url, realmName: realm, timeout: timeoutMs });
  client.registerTokenProvider({ getAccessToken: () => tokens.getAccessToken() });
  return client;
}
