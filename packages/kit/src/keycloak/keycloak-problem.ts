import type { HttpProblem } from '../errors/http-problem.js';
import { badRequest, conflict, notFound, serviceUnavailable } from '../errors/problems.js';
import { NetworkError } from '@keycloak/keycloak-admin-client';
import { isTransportFailure, KeycloakUnavailable } from './keycloak-unavailable.js';

/** Seconds a client should wait before retrying while Keycloak is unavailable. */
export const keycloakRetryAfterSeconds = 5;

/**
 * Turns an Admin API failure into the problem the caller should see, or undefined when the
 * failure is not Keycloak's answer (a bug on our side, left to surface as a 500).
 */
export function problemFromKeycloakError(error: unknown): HttpProblem | undefined {
  if (error instanceof KeycloakUnavailable || isTransportFailure(error)) {
    return serviceUnavailable(
      'The identity provider is unavailable; try again shortly',
      keycloakRetryAfterSeconds,
    );
  }
  if (!(error instanceof NetworkError)) return undefined;
  const status = error.response.status;
  const reason = keycloakReason(error.responseData);
  if (status === 409) return conflict(reason ?? 'The identity provider reports a conflict');
  if (status === 404) return notFound(reason ?? 'No such user');
  if (status === 400) return badRequest(reason ?? 'The identity provider refused the request');
  if (status >= 500) {
    return serviceUnavailable('The identity provider failed; try again shortly', keycloakRetryAfterSeconds);
  }
  return undefined;
}

/** Keycloak answers with `errorMessage` (user and password policy errors) or `error`/`error_description`. */
export function keycloakReason(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null)
    return typeof data === 'string' && data !== '' ? data : undefined;
  const record = data as Record<string, unknown>;
  for (const key of ['errorMessage', 'error_description', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
