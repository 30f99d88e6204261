/** The running local stack as the auth service's tests see it. */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { secret } from '@platform/platform/environment';
import { queryOnce, serviceDatabaseUrl } from '@platform/test-support/postgres';
import { apiOf } from '@platform/test-support/service-api';
import { oidc, secrets } from '@platform/test-support/stack';

/** Calls a route of the auth service (the stack's process unless `base` names another instance). */
export const call = apiOf('auth');

/** An address no test has used before, in a domain that never receives real mail. */
export function uniqueEmail(label: string): string {
  return `${label}-${randomUUID().slice(0, 12)}@example.test`;
}

/** A password the realm's policy accepts (length 10, digit, upper and lower case, not the e-mail). */
export const strongPassword = 'Sturdy-Passw0rd-42';

/** Runs one query against the auth service's own database. */
export function authDb<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  return queryOnce<T>(serviceDatabaseUrl('auth'), sql, params);
}

/** Uses a refresh token once; the raw answer tells whether Keycloak still honours it. */
export async function refresh(
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(oidc.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'platform-tests',
      refresh_token: refreshToken,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The auth service's own client credentials, as the running service uses them. */
export const authServiceClient = () => ({
  tokenUrl: oidc.tokenUrl,
  clientId: 'auth-service',
  clientSecret: secret(secrets, 'AUTH_SERVICE_CLIENT_SECRET'),
});
