import KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import type { KeycloakAdminConfig, ServiceClientConfig } from '../config/keycloak-config.js';
import type { KeycloakAdminMetrics } from '../metrics/keycloak-admin-metrics.js';
import { ClientCredentialsTokens } from './client-credentials-tokens.js';
import { retryOnceWithFreshToken, type AccessTokens } from './fresh-token-retry.js';
import { keycloakFailureOf } from './keycloak-failure.js';

export interface KeycloakAdminOptions {
  /** Keycloak's base URL as reachable from the service, e.g. http://keycloak:8080. */
  readonly url: string;
  readonly realm: string;
  /** The service's own client-credentials tokens; its service account holds the admin roles. */
  readonly tokens: AccessTokens;
  /** Bound on every Admin API call, so a hung Keycloak becomes a 503, not a hung request. */
  readonly timeoutMs?: number;
  /** The service's metrics (`context.metrics`): every call is timed and its outcome counted. */
  readonly metrics?: { readonly keycloakAdmin: KeycloakAdminMetrics };
}

export type KeycloakAdmin = KeycloakAdminClient;

/**
 * An Admin API client for one realm, authenticated with the service's own token provider. Every
 * call is timed (with `metrics`); when Keycloak answers 401 to a cached token it no longer accepts,
 * it is retried once with a fresh token (retryOnceWithFreshToken) instead of failing until the old
 * one would have expired. Failures leave as the kit's dependency errors (keycloakFailureOf), so
 * neither the callers nor the error handler need to know the admin client's.
 */
export function createKeycloakAdmin({
  url,
  realm,
  tokens,
  timeoutMs = 5_000,
  metrics,
}: KeycloakAdminOptions): KeycloakAdmin {
  const client = new KeycloakAdminClient({ baseUrl: url, realmName: realm, timeout: timeoutMs });
  client.registerTokenProvider({ getAccessToken: () => tokens.getAccessToken() });
  wrapResourceCalls(client, (operation, attempt) => {
    const timed = () => (metrics ? metrics.keycloakAdmin.timed(operation, attempt) : attempt());
    return retryOnceWithFreshToken(tokens, timed, (error) => statusOf(error) === 401).catch(
      (error: unknown) => {
        throw keycloakFailureOf(error);
      },
    );
  });
  return client;
}

/**
 * The Admin API client a service's configuration describes: its own client's tokens, the realm at
 * KEYCLOAK_URL. The one way services build it.
 */
export function keycloakAdminFromConfig({
  config,
  metrics,
}: {
  readonly config: ServiceClientConfig & KeycloakAdminConfig;
  readonly metrics?: { readonly keycloakAdmin: KeycloakAdminMetrics };
}): KeycloakAdmin {
  return createKeycloakAdmin({
    url: config.KEYCLOAK_URL,
    realm: config.KEYCLOAK_REALM,
    tokens: ClientCredentialsTokens.fromConfig(config),
    metrics,
  });
}

/** The HTTP status of an admin-client error, when Keycloak answered. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { response?: { status?: unknown } } | undefined)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The client's resources (`users`, `roles`, …) hold their calls as own function properties, so
 * each can be wrapped in place; the operation label is `<resource>.<method>`, e.g. `users.find`.
 */
function wrapResourceCalls(
  client: KeycloakAdminClient,
  wrap: (operation: string, attempt: () => Promise<unknown>) => Promise<unknown>,
): void {
  for (const [resourceName, resource] of Object.entries(client)) {
    if (typeof resource !== 'object' || resource === null) continue;
    const calls = resource as Record<string, unknown>;
    for (const [method, call] of Object.entries(calls)) {
      // makeRequest/makeUpdateRequest build the calls at construction; they are not calls themselves.
      if (typeof call !== 'function' || method.startsWith('make')) continue;
      const original = call as (...args: unknown[]) => Promise<unknown>;
      calls[method] = (...args: unknown[]) =>
        wrap(`${resourceName}.${method}`, () => original.apply(resource, args));
    }
  }
}
