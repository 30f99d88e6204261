import { NetworkError } from '@keycloak/keycloak-admin-client';
import { DependencyRefused, type Refusal } from '../errors/dependency-errors.js';
import { isTransportFailure, KeycloakUnavailable } from './keycloak-unavailable.js';

/** Keycloak refused an Admin API request (400, 404 or 409); `reason` is its own words, when it gave any. */
export class KeycloakRefused extends DependencyRefused {
  override readonly name = 'KeycloakRefused';

  constructor(
    refusal: Refusal,
    detail: string,
    readonly reason: string | undefined,
    /** The user-profile attribute Keycloak named, when it refused one (e.g. `email`). */
    readonly field: string | undefined,
    cause: NetworkError,
  ) {
    super(refusal, detail, { cause });
  }
}

const refusals: Readonly<Record<number, { refusal: Refusal; detail: string }>> = {
  400: { refusal: 'invalid', detail: 'The identity provider refused the request' },
  404: { refusal: 'not_found', detail: 'No such user' },
  409: { refusal: 'conflict', detail: 'The identity provider reports a conflict' },
};

/**
 * What an Admin API failure means to the service: KeycloakUnavailable when Keycloak did not answer
 * or failed, KeycloakRefused when it refused the request, anything else (a 401 or 403, a bug on
 * our side) as it was.
 */
export function keycloakFailureOf(error: unknown): unknown {
  if (error instanceof KeycloakUnavailable) return error;
  if (isTransportFailure(error)) {
    return new KeycloakUnavailable(`Keycloak did not answer: ${(error as Error).message}`, { cause: error });
  }
  if (!(error instanceof NetworkError)) return error;
  const status = error.response.status;
  if (status >= 500) {
    return new KeycloakUnavailable(`Keycloak answered ${status}`, {
      detail: 'The identity provider failed; try again shortly',
      cause: error,
    });
  }
  const known = refusals[status];
  if (!known) return error;
  const reason = keycloakReason(error.responseData);
  return new KeycloakRefused(
    known.refusal,
    reason ?? known.detail,
    reason,
    fieldOf(error.responseData),
    error,
  );
}

/** Keycloak answers with `errorMessage` (user and password policy errors) or `error`/`error_description`. */
function keycloakReason(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null)
    return typeof data === 'string' && data !== '' ? data : undefined;
  const record = data as Record<string, unknown>;
  for (const key of ['errorMessage', 'error_description', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** Keycloak's user-profile validation names the attribute it refused. */
function fieldOf(data: unknown): string | undefined {
  const field = (data as { field?: unknown } | null | undefined)?.field;
  return typeof field === 'string' ? field : undefined;
}
