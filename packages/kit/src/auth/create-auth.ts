import type { RequestHandler } from 'express';
import { auth } from 'express-oauth2-jwt-bearer';
import { HttpProblem } from '../errors/http-problem.js';
import { requireRoles, requireScopes } from './guards.js';
import type { RevocationCheck } from './revocation-list.js';
import { bearerTokenOf, VerifiedTokenCache } from './verified-token-cache.js';

export interface AuthOptions {
  /** Must equal the tokens' `iss` exactly, e.g. https://keycloak.example/realms/platform. */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string | readonly string[];
  /** Subjects whose tokens are refused although they verify (disabled or deleted users). */
  readonly revocations?: RevocationCheck;
}

export interface Auth {
  /** Verifies the bearer token and sets `req.auth`; failures reach the error handler as 401s. */
  readonly authenticate: RequestHandler;
  readonly requireRoles: (...anyOf: string[]) => RequestHandler;
  readonly requireScopes: (...allOf: string[]) => RequestHandler;
}

/**
 * Bearer-token authentication against Keycloak.
 *
 * The signing keys are cached by the library (read in its source): it hands `jwksUri` to jose's
 * `createRemoteJWKSet`, whose defaults it keeps: a fetched key set is reused for `cacheMaxAge`
 * 600 000 ms (10 min); a token with an unknown `kid` triggers a refetch at most once per
 * `cooldownDuration` 30 000 ms, which is how Keycloak key rotation is picked up; each fetch times out
 * after `timeoutDuration` 5 000 ms. So Keycloak is not called per request. On top of that, a token
 * that verified once is remembered until it expires (VerifiedTokenCache), so repeat requests with the
 * same token skip the signature check.
 *
 * The revocation list is asked after the signature, for fresh and remembered tokens alike: a token
 * stays valid cryptographically until it expires, so only this lookup (in memory) can refuse a
 * subject disabled after the token was issued.
 *
 * The library falls back to process.env ISSUER_BASE_URL and SECRET when those options are absent;
 * a service must not define them, or it would switch to discovery or refuse to start.
 */
export function createAuth({ issuer, jwksUri, audience, revocations }: AuthOptions): Auth {
  const verify = auth({
    issuer,
    jwksUri,
    audience: typeof audience === 'string' ? audience : [...audience],
    tokenSigningAlg: 'RS256',
    // Strict mode wants typ "at+jwt" (RFC 9068); Keycloak's access tokens say "JWT".
    strict: false,
    // Keycloak issues plain bearer tokens here; without this every 401 would also offer a DPoP challenge.
    dpop: { enabled: false },
  });
  const verified = new VerifiedTokenCache();
  const authenticate: RequestHandler = (req, res, next) => {
    // The library would also take a token from the query string or a form body; tokens in URLs end
    // up in logs and browser histories (OAuth 2.0 Security BCP): the header is the only way in.
    if (carriesTokenOutsideHeader(req.query, req.body)) {
      next(tokenOutsideHeader());
      return;
    }
    const token = bearerTokenOf(req.headers.authorization);
    const known = token === undefined ? undefined : verified.get(token);
    if (known !== undefined) {
      req.auth = known;
      next(revokedProblemFor(known.payload.sub));
      return;
    }
    void verify(req, res, (error?: unknown) => {
      if (error !== undefined || req.auth === undefined) {
        next(error);
        return;
      }
      if (token !== undefined) verified.set(token, req.auth);
      next(revokedProblemFor(req.auth.payload.sub));
    });
  };
  const revokedProblemFor = (subject: string | undefined): HttpProblem | undefined => {
    if (revocations === undefined || subject === undefined || !revocations.isRevoked(subject))
      return undefined;
    return tokenRevoked();
  };
  return { authenticate, requireRoles, requireScopes };
}

function carriesTokenOutsideHeader(query: unknown, body: unknown): boolean {
  const has = (value: unknown) => typeof value === 'object' && value !== null && 'access_token' in value;
  return has(query) || has(body);
}

/** A 401 with the RFC 6750 challenge naming `error`, as every other token failure gets. */
function bearerProblem(error: 'invalid_token' | 'invalid_request', detail: string): HttpProblem {
  return new HttpProblem({
    status: 401,
    title: 'Unauthorized',
    detail,
    headers: {
      'WWW-Authenticate': `Bearer realm="api", error="${error}", error_description="${detail}"`,
    },
  });
}

const tokenRevoked = () => bearerProblem('invalid_token', 'The access token has been revoked');

const tokenOutsideHeader = () =>
  bearerProblem('invalid_request', 'A bearer token is accepted only in the Authorization header');
