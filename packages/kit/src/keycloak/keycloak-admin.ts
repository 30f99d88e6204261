import KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import type { KeycloakAdminMetrics } from '../metrics/keycloak-admin-metrics.js';
import type { ClientCredentialsTokens } from './client-credentials-tokens.js';

export interface KeycloakAdminOptions {
  /** Keycloak's base URL as reachable from the service, e.g. http://keycloak:8080. */
  readonly url: string;
  readonly realm: string;
  /** The service's own client-credentials tokens; its service account holds the admin roles. */
  readonly tokens: ClientCredentialsTokens;
  /** Bound on every Admin API call, so a hung Keycloak becomes a 503, not a hung request. */
  readonly timeoutMs?: number;
  /** The service's metrics (`context.metrics`): every call is timed and its outcome counted. */
  readonly metrics?: { readonly keycloakAdmin: KeycloakAdminMetrics };
}

export type KeycloakAdmin = KeycloakAdminClient;

/** An Admin API client for one realm, authenticated with the service's own token provider. */
export function createKeycloakAdmin({
  url,
  realm,
  tokens,
  timeoutMs = 5_000,
  metrics,
}: KeycloakAdminOptions): KeycloakAdmin {
  const client = new KeycloakAdminClient({ baseUrl: url, realmName: realm, timeout: timeoutMs });
  client.registerTokenProvider({ getAccessToken: () => tokens.getAccessToken() });
  if (metrics) timeResourceCalls(client, metrics.keycloakAdmin);
  return client;
}

/**
 * The client's resources (`users`, `roles`, …) hold their calls as own function properties, so
 * each can be wrapped in place; the operation label is `<resource>.<method>`, e.g. `users.find`.
 */
function timeResourceCalls(client: KeycloakAdminClient, metrics: KeycloakAdminMetrics): void {
  for (const [resourceName, resource] of Object.entries(client)) {
    if (typeof resource !== 'object' || resource === null) continue;
    const calls = resource as Record<string, unknown>;
    for (const [method, call] of Object.entries(calls)) {
      // makeRequest/makeUpdateRequest build the calls at construction; they are not calls themselves.
      if (typeof call !== 'function' || method.startsWith('make')) continue;
      const original = call as (...args: unknown[]) => Promise<unknown>;
      calls[method] = (...args: unknown[]) =>
        metrics.timed(`${resourceName}.${method}`, () => original.apply(resource, args));
    }
  }
}
