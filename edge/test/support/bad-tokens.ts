import { createPublicKey, randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { masterAdminToken } from '@platform/dev/stack/keycloak';
import { environment, oidc, secrets } from '@platform/test-support/stack';
import { claimsOf, otherAudienceToken, tokenSignedByAnotherKey } from '@platform/test-support/tokens';

/** One way a bearer token can be wrong; `authorization` is the whole header value, or none. */
export interface BadToken {
  name: string;
  authorization?: string;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const headerOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The same claims as a real token, changed, signed with a key Keycloak never saw. */
async function resigned(realToken: string, change: (claims: Record<string, unknown>) => void, kid?: string) {
  const { privateKey } = await generateKeyPair('RS256');
  const claims = claimsOf(realToken) as Record<string, unknown>;
  change(claims);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: kid ?? (headerOf(realToken).kid as string) })
    .sign(privateKey);
}

/** The realm's RS256 signing key as a PEM, which a confused verifier might take as an HMAC secret. */
async function realmPublicKeyPem(): Promise<string> {
  const response = await fetch(oidc.jwksUri);
  const { keys } = (await response.json()) as {
    keys: (Record<string, unknown> & { use?: string; alg?: string })[];
  };
  const jwk = keys.find((key) => key.use === 'sig' && key.alg === 'RS256');
  if (!jwk) throw new Error('the realm publishes no RS256 signing key');
  return createPublicKey({ key: jwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

/**
 * Every way a token is wrong that the edge and the services must refuse with 401, built from a real
 * token of a user who may call the route (so only the defect can explain a refusal).
 */
export async function badTokens(validToken: string): Promise<BadToken[]> {
  const now = Math.floor(Date.now() / 1000);
  const [header, payload] = validToken.split('.') as [string, string, string];
  const claims = claimsOf(validToken) as Record<string, unknown>;
  const hs256 = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: headerOf(validToken).kid as string })
    .sign(new TextEncoder().encode(await realmPublicKeyPem()));
  const tampered = base64url({ ...claims, realm_access: { roles: ['admin', 'user'] }, sub: randomUUID() });
  const bearer = (token: string) => `Bearer ${token}`;
  return [
    { name: 'no token' },
    { name: 'a malformed token', authorization: bearer('not-a-jwt') },
    { name: 'alg none', authorization: bearer(`${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`) },
    { name: 'HS256 signed with the realm public key as the secret', authorization: bearer(hs256) },
    // A real token of another realm (master): a genuine signature, the wrong issuer.
    { name: 'a wrong issuer', authorization: bearer(await masterAdminToken(environment, secrets)) },
    { name: 'a wrong audience', authorization: bearer(await otherAudienceToken()) },
    {
      name: 'an expired token',
      authorization: bearer(
        await resigned(validToken, (c) => {
          c.iat = now - 7200;
          c.exp = now - 3600;
        }),
      ),
    },
    {
      name: 'a token not yet valid',
      authorization: bearer(
        await resigned(validToken, (c) => {
          c.nbf = now + 3600;
          c.exp = now + 7200;
        }),
      ),
    },
    { name: 'an unknown kid', authorization: bearer(await resigned(validToken, () => {}, 'no-such-key-id')) },
    {
      name: 'a tampered payload',
      authorization: bearer(`${header}.${tampered}.${validToken.split('.')[2]}`),
    },
    {
      name: 'a token signed by another key',
      authorization: bearer(await tokenSignedByAnotherKey(validToken)),
    },
  ];
}
