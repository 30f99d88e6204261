import { describe, expect, it } from 'vitest';
import {
  parseRevocationEntry,
  type RevocationEntry,
  RevokedSubjects,
} from '../../src/auth/revoked-subjects.js';

const now = 1_800_000_000_000;
const revoked = (sub: string, until = now + 300_000): RevocationEntry => ({
  sub,
  state: 'revoked',
  at: now - 1_000,
  until,
});
const lifted = (sub: string): RevocationEntry => ({ sub, state: 'lifted', at: now, until: now + 300_000 });

describe('RevokedSubjects', () => {
  it('when a subject is revoked, then it is on the list until its entry expires', () => {
    const subjects = new RevokedSubjects();
    subjects.apply(revoked('alice', now + 1_000), now);

    expect(subjects.has('alice', now)).toBe(true);
    expect(subjects.has('bob', now)).toBe(false);
    expect(subjects.has('alice', now + 1_000)).toBe(false);
    expect(subjects.size).toBe(0);
  });

  it('when a revocation is lifted, then the subject is accepted again', () => {
    const subjects = new RevokedSubjects();
    subjects.apply(revoked('alice'), now);
    subjects.apply(lifted('alice'), now);

    expect(subjects.has('alice', now)).toBe(false);
  });

  it('when an entry arrives already expired, then it is not kept', () => {
    const subjects = new RevokedSubjects();
    subjects.apply(revoked('alice', now - 1), now);

    expect(subjects.size).toBe(0);
  });

  it('when a reload finishes, then the snapshot replaces what was known', () => {
    const subjects = new RevokedSubjects();
    subjects.apply(revoked('stale'), now);
    subjects.beginReload();
    subjects.finishReload([revoked('alice'), lifted('bob')], now);

    expect(subjects.has('stale', now)).toBe(false);
    expect(subjects.has('alice', now)).toBe(true);
    expect(subjects.has('bob', now)).toBe(false);
  });

  it('when messages arrive during a reload, then they apply at once and win over the older snapshot', () => {
    const subjects = new RevokedSubjects();
    subjects.beginReload();
    subjects.apply(revoked('carol'), now);
    subjects.apply(lifted('alice'), now);
    expect(subjects.has('carol', now)).toBe(true);

    // The snapshot was read before both messages: it still shows alice revoked and knows no carol.
    subjects.finishReload([revoked('alice')], now);

    expect(subjects.has('alice', now)).toBe(false);
    expect(subjects.has('carol', now)).toBe(true);
  });

  it('when a reload fails, then the last known list stays, with what arrived meanwhile', () => {
    const subjects = new RevokedSubjects();
    subjects.apply(revoked('alice'), now);
    subjects.beginReload();
    subjects.apply(revoked('bob'), now);
    subjects.abandonReload();

    expect(subjects.has('alice', now)).toBe(true);
    expect(subjects.has('bob', now)).toBe(true);
  });
});

describe('parseRevocationEntry', () => {
  it('when the JSON is an entry, then it is parsed; anything else is undefined', () => {
    expect(parseRevocationEntry(JSON.stringify(revoked('alice')))).toEqual(revoked('alice'));
    expect(parseRevocationEntry('not json')).toBeUndefined();
    expect(parseRevocationEntry(JSON.stringify({ sub: 'alice', state: 'gone' }))).toBeUndefined();
  });
});
