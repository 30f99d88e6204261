/** Where a service gets its own access token; ClientCredentialsTokens is one. */
export interface AccessTokens {
  getAccessToken(): Promise<string>;
  /** Forgets the cached token, so the next getAccessToken fetches a fresh one. */
  invalidate(): void;
}

/**
 * Runs `attempt`; when the callee refused the service's token (`isRefusal`: it answered 401), forgets
 * the token and runs `attempt` once more, which fetches a fresh one. A callee stops accepting a
 * token before it expires when its signing keys change (a realm re-import, a key rotation); one
 * retry recovers from that without looping when the service is refused for good.
 */
export async function retryOnceWithFreshToken<T>(
  tokens: AccessTokens,
  attempt: () => Promise<T>,
  isRefusal: (error: unknown) => boolean,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!isRefusal(error)) throw error;
    tokens.invalidate();
    return attempt();
  }
}
