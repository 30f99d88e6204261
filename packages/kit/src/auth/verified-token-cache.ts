import type { AuthResult } from 'express-oauth2-jwt-bearer';

/**
 * Remembers tokens that passed full verification, so a client that sends the same access token
 * many times (every browser session does) pays for the RS256 signature check once, not per request.
 * Only the exact token string that verified is remembered, until its `exp` (or `maxAgeMs`, whichever
 * comes first); a tampered token is a different string and is verified from scratch. Bounded in size:
 * the oldest entries go first.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { auth: AuthResult; expiresAt: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 60_000,
  ) {}

  get(token: string, now = Date.now()): AuthResult | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.auth;
  }

  set(token: string, auth: AuthResult, now = Date.now()): void {
    const exp = auth.payload.exp;
    if (typeof exp !== 'number') return;
    const expiresAt = Math.min(exp * 1000, now + this.maxAgeMs);
    if (expiresAt <= now) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { auth, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined for anything else. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (header === undefined || !header.startsWith('Bearer ')) return undefined;
  const token = header.slice('Bearer '.length);
  return token === '' || token.includes(' ') ? undefined : token;
}
