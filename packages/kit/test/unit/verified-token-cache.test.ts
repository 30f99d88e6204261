import type { AuthResult } from 'express-oauth2-jwt-bearer';
import { describe, expect, it } from 'vitest';
import { bearerTokenOf, VerifiedTokenCache } from '../../src/auth/verified-token-cache.js';

const now = 1_800_000_000_000;
const verifiedUntil = (expSeconds: number, token = 'header.payload.signature'): AuthResult => ({
  header: { alg: 'RS256' },
  payload: { sub: 'user-1', exp: expSeconds },
  token,
});

describe('verified token cache', () => {
  it('when a verified token is seen again before it expires, then the verification result is reused', () => {
    const cache = new VerifiedTokenCache();
    const auth = verifiedUntil(now / 1000 + 300);
    cache.set(auth.token, auth, now);

    expect(cache.get(auth.token, now + 1_000)).toBe(auth);
    expect(cache.get(`${auth.token}x`, now + 1_000)).toBeUndefined();
  });

  it('when the token has expired, then it is forgotten and must be verified again', () => {
    const cache = new VerifiedTokenCache();
    const auth = verifiedUntil(now / 1000 + 30);
    cache.set(auth.token, auth, now);

    expect(cache.get(auth.token, now + 30_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('when a token lives longer than the cache age, then it is re-verified after that age', () => {
    const cache = new VerifiedTokenCache(10, 60_000);
    const auth = verifiedUntil(now / 1000 + 900);
    cache.set(auth.token, auth, now);

    expect(cache.get(auth.token, now + 59_999)).toBe(auth);
    expect(cache.get(auth.token, now + 60_000)).toBeUndefined();
  });

  it('when the cache is full, then the oldest entry makes room', () => {
    const cache = new VerifiedTokenCache(2);
    for (const token of ['a', 'b', 'c']) cache.set(token, verifiedUntil(now / 1000 + 300, token), now);

    expect(cache.size).toBe(2);
    expect(cache.get('a', now)).toBeUndefined();
    expect(cache.get('c', now)?.token).toBe('c');
  });

  it('when a token has no exp, then it is never cached', () => {
    const cache = new VerifiedTokenCache();
    cache.set('t', { header: { alg: 'RS256' }, payload: { sub: 'x' }, token: 't' }, now);

    expect(cache.size).toBe(0);
  });

  it('when the Authorization header is not exactly "Bearer <token>", then no token is taken from it', () => {
    expect(bearerTokenOf('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerTokenOf(undefined)).toBeUndefined();
    expect(bearerTokenOf('bearer abc')).toBeUndefined();
    expect(bearerTokenOf('Bearer ')).toBeUndefined();
    expect(bearerTokenOf('Bearer a b')).toBeUndefined();
    expect(bearerTokenOf('Basic abc')).toBeUndefined();
  });
});
