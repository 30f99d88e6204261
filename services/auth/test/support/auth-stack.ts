/** The running local stack as the auth service's tests see it. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { secret } from '../../../../dev/environment.js';
import { serviceEnv } from '../../../../dev/service-env.js';
import { environment, oidc, secrets, serviceUrl } from '../../../../e2e/support/stack.js';

export const authUrl = () => serviceUrl('auth');

/** The auth service's environment in the stack, to start a second instance in-process. */
export const authServiceEnv = () => serviceEnv('auth', environment, secrets);

export function authDatabaseUrl(): string {
  const url = authServiceEnv().DATABASE_URL;
  if (!url) throw new Error('the auth service has no DATABASE_URL');
  return url;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
  /** Milliseconds from sending the request to reading the whole body. */
  elapsedMs: number;
}

/** Calls a route of the auth service (or of `baseUrl`), with a bearer token and a JSON body when given. */
export async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; requestId?: string; baseUrl?: string } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.requestId) headers['x-request-id'] = options.requestId;
  if (options.body !== undefined || options.rawBody !== undefined)
    headers['content-type'] = 'application/json';
  const started = performance.now();
  const response = await fetch(`${options.baseUrl ?? authUrl()}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  const body =
    response.headers.get('content-type')?.includes('json') && text !== '' ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body, elapsedMs };
}

/** An address no test has used before, in a domain that never receives real mail. */
export function uniqueEmail(label: string): string {
  return `${label}-${randomUUID().slice(0, 12)}@example.test`;
}

/** A password the realm's policy accepts (length 10, digit, upper and lower case, not the e-mail). */
export const strongPassword = 'Sturdy-Passw0rd-42';

/** Runs one query against the auth service's own database. */
export async function authDb<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: authDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** Signs a person in through the dev-only password-grant client. */
export async function passwordLogin(username: string, password: string): Promise<TokenSet> {
  const response = await fetch(oidc.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'platform-tests',
      username,
      password,
      scope: 'openid',
    }),
  });
  if (!response.ok)
    throw new Error(`login of ${username} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as TokenSet;
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
