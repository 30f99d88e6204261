import type { ReadinessCheck } from '../readiness-check.js';

export interface JwksReadinessOptions {
  readonly timeoutMs?: number;
  /** How long a success is trusted, so frequent probes of every replica do not hammer Keycloak. */
  readonly cacheSuccessMs?: number;
  /**
   * How long the service keeps verifying tokens with a key set it fetched: the auth library's key
   * cache age (create-auth.ts, 10 min). Within it, Keycloak being down does not stop the service
   * from serving, so it stays ready.
   */
  readonly keySetHeldMs?: number;
}

/**
 * Ready when the JWKS endpoint answers with at least one key, or answered so within
 * `keySetHeldMs` (the service still verifies tokens with that key set). Failures are never cached.
 */
export function jwksReadinessCheck(
  jwksUri: string,
  { timeoutMs = 2_000, cacheSuccessMs = 10_000, keySetHeldMs = 600_000 }: JwksReadinessOptions = {},
): ReadinessCheck {
  let lastSuccessAt = Number.NEGATIVE_INFINITY;
  return {
    name: 'jwks',
    async check() {
      if (Date.now() - lastSuccessAt < cacheSuccessMs) return;
      try {
        const keys = await fetchKeyCount(jwksUri, timeoutMs);
        if (keys === 0) throw new Error('the JWKS has no keys');
      } catch (error) {
        if (Date.now() - lastSuccessAt < keySetHeldMs) return;
        throw error;
      }
      lastSuccessAt = Date.now();
    },
  };
}

async function fetchKeyCount(jwksUri: string, timeoutMs: number): Promise<number> {
  let response: Response;
  try {
    response = await fetch(jwksUri, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(`JWKS endpoint unreachable: ${reasonOf(error, timeoutMs)}`);
  }
  if (!response.ok) throw new Error(`JWKS endpoint answered ${response.status}`);
  const body: unknown = await response.json().catch(() => undefined);
  if (typeof body !== 'object' || body === null || !('keys' in body) || !Array.isArray(body.keys)) {
    throw new Error('JWKS endpoint did not return a key set');
  }
  return body.keys.length;
}

// fetch reports every network failure as "fetch failed"; the useful part is in `cause`.
function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error)
    return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return error instanceof Error ? error.message : String(error);
}
