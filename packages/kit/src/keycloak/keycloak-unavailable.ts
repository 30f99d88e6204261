import { DependencyUnavailable } from '../errors/dependency-errors.js';

/** Seconds a client should wait before retrying while Keycloak is unavailable. */
export const keycloakRetryAfterSeconds = 5;

/** Keycloak could not be reached, timed out, or failed on its side: worth retrying later (503). */
export class KeycloakUnavailable extends DependencyUnavailable {
  override readonly name = 'KeycloakUnavailable';

  constructor(message: string, options: { readonly detail?: string; readonly cause?: unknown } = {}) {
    super('keycloak', message, {
      detail: options.detail ?? 'The identity provider is unavailable; try again shortly',
      retryAfterSeconds: keycloakRetryAfterSeconds,
      cause: options.cause,
    });
  }
}

/** Errors that mean the request never got a real answer from the server. */
export function isTransportFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // fetch throws TypeError('fetch failed') for refused or reset connections, and
  // AbortSignal.timeout() aborts with a DOMException named TimeoutError. Other TypeErrors are bugs.
  return (
    error.name === 'TimeoutError' ||
    error.name === 'AbortError' ||
    (error instanceof TypeError && error.message === 'fetch failed')
  );
}
