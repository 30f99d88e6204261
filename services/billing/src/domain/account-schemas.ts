import { z } from 'zod';
import { accountStatuses } from './account-store.js';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** An ISO 3166-1 alpha-2 country code this runtime knows (DE, FR, US …). */
const countrySchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE')
  // zod runs this refinement even when the pattern failed, and Intl throws on anything but a
  // well-formed region code ("DEU", "   "): only a two-letter code is looked up.
  .refine(
    (code) => !/^[A-Z]{2}$/.test(code) || regionNames.of(code) !== undefined,
    'not an ISO 3166-1 country code',
  );

/** Who invoices are addressed to. Identifies a person, so it is only ever stored encrypted. */
export const billingDetailsSchema = z
  .object({
    legalName: z.string().trim().min(1).max(200),
    addressLine1: z.string().trim().min(1).max(200),
    addressLine2: z.string().trim().min(1).max(200).optional(),
    postalCode: z.string().trim().min(1).max(20),
    city: z.string().trim().min(1).max(100),
    region: z.string().trim().min(1).max(100).optional(),
    country: countrySchema,
    taxId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9 ./-]{2,32}$/, '2 to 32 letters, digits, spaces, dots, slashes or dashes')
      .optional(),
  })
  .strict();
export type BillingDetails = z.infer<typeof billingDetailsSchema>;

export const accountSchema = z.object({
  id: z.uuid(),
  userId: z.string(),
  status: z.enum(accountStatuses),
  /** From the user service (cached); null while it cannot be reached or does not know the user. */
  profile: z.object({ username: z.string().nullable(), displayName: z.string().nullable() }).nullable(),
  details: billingDetailsSchema.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type AccountView = z.infer<typeof accountSchema>;

export const accountParamsSchema = z.object({ userId: z.string().min(1).max(200) });
