import { z } from 'zod';
import { accountStatuses } from './account-store.js';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/** The ISO 3166-1 alpha-2 codes this runtime knows (DE, FR, US …), listed so the document names them. */
const countryCodes = letters
  .flatMap((first) => letters.map((second) => `${first}${second}`))
  .filter((code) => regionNames.of(code) !== undefined) as [string, ...string[]];

const countrySchema = z.enum(countryCodes, { error: 'must be an ISO 3166-1 alpha-2 code such as DE' });

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
  .strict()
  .meta({ id: 'BillingDetails' });
export type BillingDetails = z.infer<typeof billingDetailsSchema>;

export const accountSchema = z
  .object({
    id: z.uuid(),
    userId: z.string(),
    status: z.enum(accountStatuses),
    /** From the user service (cached); null while it cannot be reached or does not know the user. */
    profile: z.object({ username: z.string().nullable(), displayName: z.string().nullable() }).nullable(),
    details: billingDetailsSchema.nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'BillingAccount' });
export type AccountView = z.infer<typeof accountSchema>;

export const accountParamsSchema = z.object({ userId: z.string().min(1).max(200) });
