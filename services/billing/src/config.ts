import { envInteger, envUrl, serviceClientConfigSchema, serviceConfigSchema } from '@platform/kit';
import { z } from 'zod';

const keyIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;
const keyBytes = 32;

/**
 * `kid:base64key,kid:base64key`: every AES-256 key billing may decrypt with. Old keys stay listed
 * after a rotation so rows written under them can still be read. Messages never echo key material.
 */
const encryptionKeysSchema = z.string().transform((value, ctx) => {
  const keys = new Map<string, Buffer>();
  const entries = value.split(',').map((entry) => entry.trim());
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(':');
    const keyId = separator === -1 ? '' : entry.slice(0, separator);
    const encoded = separator === -1 ? '' : entry.slice(separator + 1);
    const position = `entry ${index + 1}`;
    if (!keyIdPattern.test(keyId) || encoded === '') {
      ctx.addIssue({ code: 'custom', message: `${position}: expected kid:base64key` });
    } else if (keys.has(keyId)) {
      ctx.addIssue({ code: 'custom', message: `${position}: key id ${keyId} is listed twice` });
    } else if (!base64Pattern.test(encoded) || Buffer.from(encoded, 'base64').length !== keyBytes) {
      ctx.addIssue({
        code: 'custom',
        message: `${position} (${keyId}): expected ${keyBytes} bytes in base64`,
      });
    } else {
      keys.set(keyId, Buffer.from(encoded, 'base64'));
    }
  }
  return keys as ReadonlyMap<string, Buffer>;
});

export const billingConfigSchema = serviceConfigSchema
  .extend({
    ...serviceClientConfigSchema.shape,
    /** The user service's base URL; billing calls its `/internal/users` API. */
    USER_SERVICE_URL: envUrl(),
    /** Bound on one call to the user service, retries not included. */
    USER_SERVICE_TIMEOUT_MS: envInteger({ min: 50, max: 60_000 }).default(2_000),
    /** How long a profile fetched from the user service is served from Redis at most. */
    PROFILE_CACHE_TTL_SECONDS: envInteger({ min: 1, max: 86_400 }).default(300),
    BILLING_ENCRYPTION_KEYS: encryptionKeysSchema,
    /** Which of BILLING_ENCRYPTION_KEYS encrypts new writes. */
    BILLING_ACTIVE_KEY_ID: z.string().regex(keyIdPattern, { error: 'expected a key id such as 2026-01' }),
  })
  .superRefine((config, ctx) => {
    if (!config.BILLING_ENCRYPTION_KEYS.has(config.BILLING_ACTIVE_KEY_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: ['BILLING_ACTIVE_KEY_ID'],
        message: 'names no key in BILLING_ENCRYPTION_KEYS',
      });
    }
  });

export type BillingConfig = z.output<typeof billingConfigSchema>;
