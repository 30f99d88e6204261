import type { Request } from 'express';
import type { JWTPayload } from 'express-oauth2-jwt-bearer';
import { unauthorized } from '../errors/problems.js';

/** Who made an authenticated request, read from a Keycloak access token. */
export interface Principal {
  /** `sub`: the Keycloak user id, or the service account's user id for client credentials. */
  readonly subject: string;
  /** `preferred_username`; `service-account-<client>` for client credentials. */
  readonly username: string | undefined;
  /** `realm_access.roles`. */
  readonly roles: readonly string[];
  /** `scope`, split on spaces. */
  readonly scopes: readonly string[];
  /** `azp`: the client the token was issued to. */
  readonly clientId: string | undefined;
  /** The raw bearer token, for calling other services on the user's behalf. */
  readonly token: string;
  readonly claims: Readonly<JWTPayload>;
}

export function principalOf(req: Request): Principal {
  if (req.auth === undefined) throw unauthorized('The request is not authenticated');
  return principalFromClaims(req.auth.payload, req.auth.token);
}

export function principalFromClaims(claims: JWTPayload, token: string): Principal {
  // Keycloak only adds `sub` through the "basic" client scope; without it nobody can be held to account.
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw unauthorized('The access token has no subject');
  }
  return {
    subject: claims.sub,
    username: stringClaim(claims.preferred_username),
    roles: realmRolesOf(claims),
    scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter((scope) => scope !== '') : [],
    clientId: stringClaim(claims.azp),
    token,
    claims,
  };
}

export function realmRolesOf(claims: JWTPayload): string[] {
  const realmAccess = claims.realm_access;
  if (typeof realmAccess !== 'object' || realmAccess === null || !('roles' in realmAccess)) return [];
  const { roles } = realmAccess;
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
