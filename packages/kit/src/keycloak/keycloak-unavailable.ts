/** Keycloak could not be reached, timed out, or failed on its side: worth retrying later. */
export class KeycloakUnavailable extends Error {
  override readonly name = 'KeycloakUnavailable';
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
