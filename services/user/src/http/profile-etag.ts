import type { Response } from 'express';
import type { Profile } from '../domain/profile-schemas.js';

/**
 * The profile's version as a strong entity tag. If-Match compares strongly (RFC 9110 §13.1.1), so
 * a weak tag could never satisfy it; the version moves on with every change to the profile.
 */
export function etagOf(version: number): string {
  return `"${version}"`;
}

export function sendProfile(res: Response, profile: Profile): void {
  res.set('ETag', etagOf(profile.version)).json(profile);
}

/**
 * The versions an If-Match header accepts: undefined when there is no precondition (no header,
 * or `*`, which any existing profile satisfies). Weak and non-numeric tags match no version.
 */
export function expectedVersionsOf(ifMatch: string | undefined): number[] | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  return [...ifMatch.matchAll(/(W\/)?"([^"]*)"/g)]
    .filter(([, weak, tag]) => weak === undefined && /^\d+$/.test(tag ?? ''))
    .map(([, , tag]) => Number(tag));
}
