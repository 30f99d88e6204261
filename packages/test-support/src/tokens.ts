import { decodeProtectedHeader, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { secret } from '@platform/platform/environment';
import { devUserPassword, oidc, secrets } from './stack.js';

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

async function tokenRequest(form: Record<string, string>, basic?: [string, string]): Promise<TokenSet> {
  const headers: Record<string, string> = {};
  if (basic) headers.authorization = `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}`;
  const response = await fetch(oidc.tokenUrl, { method: 'POST', headers, body: new URLSearchParams(form) });
  if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as TokenSet;
}

/** Signs a person in through the dev-only password-grant client. */
export function passwordLogin(username: string, password = devUserPassword()): Promise<TokenSet> {
  return tokenRequest({
    grant_type: 'password',
    client_id: 'platform-tests',
    username,
    password,
    scope: 'openid',
  });
}

/** A dev user's access token, through the dev-only password-grant client. */
export async function userToken(username: string, password = devUserPassword()): Promise<string> {
  return (await passwordLogin(username, password)).access_token;
}

/** A service's access token through its own client credentials. */
export async function serviceToken(service: 'auth' | 'user' | 'billing'): Promise<string> {
  const variable = `${service.toUpperCase()}_SERVICE_CLIENT_SECRET`;
  const tokens = await tokenRequest({ grant_type: 'client_credentials' }, [
    `${service}-service`,
    secret(secrets, variable),
  ]);
  return tokens.access_token;
}

/** A real Keycloak token from a client whose tokens do not carry the API audience. */
export async function otherAudienceToken(): Promise<string> {
  const tokens = await tokenRequest({ grant_type: 'client_credentials' }, [
    'platform-tests-no-audience',
    secret(secrets, 'PLATFORM_TESTS_CLIENT_SECRET'),
  ]);
  return tokens.access_token;
}

export function claimsOf(token: string): JWTPayload & Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JWTPayload &
    Record<string, unknown>;
}

/**
 * The same claims and the realm's key id as a real token, signed with a key Keycloak never
 * saw: what an attacker who can mint tokens but not steal the realm key would send.
 */
export async function tokenSignedByAnotherKey(realToken: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  const { kid } = decodeProtectedHeader(realToken);
  return new SignJWT(claimsOf(realToken))
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(kid ? { kid } : {}) })
    .sign(privateKey);
}
