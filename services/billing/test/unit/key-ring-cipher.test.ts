import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyRingCipher, UnknownEncryptionKey } from '../../src/data/key-ring-cipher.js';

describe('KeyRingCipher (AES-256-GCM)', () => {
  const keys = new Map([
    ['old', randomBytes(32)],
    ['new', randomBytes(32)],
  ]);
  const cipher = new KeyRingCipher(keys, 'new');

  it('when a value is sealed twice, then each seal uses its own nonce and the active key', () => {
    const a = cipher.seal('tax id GB123', 'row-1');
    const b = cipher.seal('tax id GB123', 'row-1');

    expect(a.keyId).toBe('new');
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(cipher.open(a, 'row-1')).toBe('tax id GB123');
  });

  it('when a value was sealed under a key that is no longer active, then it still opens', () => {
    const sealed = new KeyRingCipher(keys, 'old').seal('written before the rotation', 'row-1');

    expect(cipher.open(sealed, 'row-1')).toBe('written before the rotation');
  });

  it('when the ciphertext was altered, then opening fails', () => {
    const sealed = cipher.seal('12 Main Street', 'row-1');
    const altered = Buffer.from(sealed.ciphertext);
    altered[0] = altered[0]! ^ 1;

    expect(() => cipher.open({ ...sealed, ciphertext: altered }, 'row-1')).toThrow();
  });

  it('when a ciphertext is moved to another row, then opening fails', () => {
    const sealed = cipher.seal('12 Main Street', 'row-1');

    expect(() => cipher.open(sealed, 'row-2')).toThrow();
  });

  it('when the value names a key that is not configured, then UnknownEncryptionKey', () => {
    const sealed = new KeyRingCipher(new Map([['gone', randomBytes(32)]]), 'gone').seal('x', 'row-1');

    expect(() => cipher.open(sealed, 'row-1')).toThrow(UnknownEncryptionKey);
  });
});
