import type { ReadinessCheck } from '../readiness-check.js';
import type { RevocationList } from './revocation-list.js';

/**
 * Ready once the revocation list has been read from Redis since the process started: before that a
 * new replica would accept the tokens of disabled users. Like the key set, a list once loaded keeps
 * the service ready while Redis is away (the last known list is still enforced; see RevocationList).
 */
export function revocationListReadinessCheck(list: RevocationList): ReadinessCheck {
  return {
    name: 'revocation-list',
    check() {
      return list.loaded
        ? Promise.resolve()
        : Promise.reject(new Error('the revocation list has not been loaded from Redis yet'));
    },
  };
}
