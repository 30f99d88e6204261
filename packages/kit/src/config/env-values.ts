import { z } from 'zod';

// Environment variables are always strings. These schemas turn them into typed values and word their
// errors so they read naturally after the variable name: "PORT: expected an integer between 0 and 65535".

export interface IntegerRange {
  readonly min?: number;
  readonly max?: number;
}

export function envInteger({ min, max }: IntegerRange = {}) {
  const expectation =
    min !== undefined && max !== undefined
      ? `expected an integer between ${min} and ${max}`
      : min !== undefined
        ? `expected an integer >= ${min}`
        : max !== undefined
          ? `expected an integer <= ${max}`
          : 'expected an integer';
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, { error: expectation })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min ?? Number.MIN_SAFE_INTEGER, { error: expectation })
        .max(max ?? Number.MAX_SAFE_INTEGER, { error: expectation }),
    );
}

/** A URL whose scheme is one of `schemes` (without "://"). */
export function envUrl(schemes: readonly string[] = ['http', 'https']) {
  const wrongScheme = `expected a ${schemes.map((scheme) => `${scheme}://`).join(' or ')} URL`;
  return z.string().superRefine((value, ctx) => {
    if (!URL.canParse(value)) {
      ctx.addIssue({ code: 'custom', message: 'expected a URL' });
    } else if (!schemes.includes(new URL(value).protocol.slice(0, -1))) {
      ctx.addIssue({ code: 'custom', message: wrongScheme });
    }
  });
}

/** A size that body-parser understands, such as 100kb or 1mb. */
export function envByteSize() {
  return z
    .string()
    .regex(/^\d+(?:\.\d+)?\s*(?:b|kb|mb|gb)?$/i, { error: 'expected a size such as 100kb or 1mb' });
}

export function envEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.join(', ')}` });
}
