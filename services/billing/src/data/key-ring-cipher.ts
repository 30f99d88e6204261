import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const algorithm = 'aes-256-gcm';
const nonceBytes = 12;
const tagBytes = 16;

/** A ciphertext with everything needed to open it again except the key itself. */
export interface SealedValue {
  /** Which key of the ring sealed it, so rows written before a rotation stay readable. */
  readonly keyId: string;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  readonly authTag: Buffer;
}

export class UnknownEncryptionKey extends Error {
  constructor(keyId: string) {
    super(
      `no encryption key ${keyId} is configured; it must stay in BILLING_ENCRYPTION_KEYS while rows use it`,
    );
    this.name = 'UnknownEncryptionKey';
  }
}

/**
 * AES-256-GCM over a ring of keys: seals with the active key, opens with whichever key a value
 * names. `context` is bound as additional authenticated data (e.g. the owning row's id), so a
 * ciphertext copied onto another row fails to open instead of revealing someone else's data.
 */
export class KeyRingCipher {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly activeKeyId: string,
  ) {}

  seal(plaintext: string, context: string): SealedValue {
    const key = this.keyFor(this.activeKeyId);
    // A random 96-bit nonce per value: GCM must never see the same nonce twice under one key.
    const nonce = randomBytes(nonceBytes);
    const cipher = createCipheriv(algorithm, key, nonce, { authTagLength: tagBytes });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.activeKeyId, nonce, ciphertext, authTag: cipher.getAuthTag() };
  }

  /** Throws when the value was tampered with, belongs to another context, or names an unknown key. */
  open(sealed: SealedValue, context: string): string {
    const decipher = createDecipheriv(algorithm, this.keyFor(sealed.keyId), sealed.nonce, {
      authTagLength: tagBytes,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  }

  private keyFor(keyId: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new UnknownEncryptionKey(keyId);
    return key;
  }
}
