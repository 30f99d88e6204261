import type { RequestHandler } from 'express';
import { forbidden, unauthorized } from '../errors/problems.js';
import { realmRolesOf } from './principal.js';

/** Lets the request through when the token carries at least one of the realm roles. Mount after `authenticate`. */
export function requireRoles(...anyOf: string[]): RequestHandler {
  if (anyOf.length === 0) throw new Error('requireRoles needs at least one role');
  return (req, _res, next) => {
    if (req.auth === undefined) return next(unauthorized('The request is not authenticated'));
    const held = new Set(realmRolesOf(req.auth.payload));
    if (anyOf.some((role) => held.has(role))) return next();
    next(
      forbidden(
        anyOf.length === 1
          ? `Missing required role: ${anyOf[0]}`
          : `Missing one of the required roles: ${anyOf.join(', ')}`,
      ),
    );
  };
}

/** Lets the request through when the token's `scope` holds every one of the scopes. Mount after `authenticate`. */
export function requireScopes(...allOf: string[]): RequestHandler {
  if (allOf.length === 0) throw new Error('requireScopes needs at least one scope');
  return (req, _res, next) => {
    if (req.auth === undefined) return next(unauthorized('The request is not authenticated'));
    const scope = req.auth.payload.scope;
    const held = new Set(typeof scope === 'string' ? scope.split(' ') : []);
    const missing = allOf.filter((wanted) => !held.has(wanted));
    if (missing.length === 0) return next();
    next(
      forbidden(`Missing required scope${missing.length === 1 ? '' : 's'}: ${missing.join(' ')}`, {
        // RFC 6750 §3.1: tell the client which scopes a new token needs.
        'WWW-Authenticate': `Bearer realm="api", error="insufficient_scope", scope="${allOf.join(' ')}"`,
      }),
    );
  };
}
