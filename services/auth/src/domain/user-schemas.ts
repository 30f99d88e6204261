import { pageQuerySchema } from '@platform/kit';
import { z } from 'zod';

/** Realm roles an administrator may grant or remove; every other realm role is out of reach. */
export const assignableRoles = ['user', 'support', 'admin', 'billing-admin'] as const;
export type AssignableRole = (typeof assignableRoles)[number];

/** Every signed-up person holds this role (through the realm's default roles). */
export const defaultRole: AssignableRole = 'user';

// Keycloak's user profile refuses these in names with an untranslated message key; refusing them
// here names the field and the reason instead.
const prohibitedInNames = /[<>&"$%!#?§;*~/\\|^=[\]{}()\p{Cc}]/u;

const personName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100)
  .refine(
    (name) => !prohibitedInNames.test(name),
    'must not contain characters such as < > & " $ % ! # ? ; * / \\',
  );

const emailAddress = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const signUpBodySchema = z.strictObject({
  email: emailAddress,
  // Strength is the realm password policy's to judge; this only bounds the input.
  password: z.string().min(1, 'must not be empty').max(256),
  firstName: personName,
  lastName: personName,
});
export type SignUpBody = z.infer<typeof signUpBodySchema>;

export const passwordResetBodySchema = z.strictObject({ email: emailAddress });
export type PasswordResetBody = z.infer<typeof passwordResetBodySchema>;

export const userSummarySchema = z.object({
  id: z.uuid(),
  username: z.string(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  enabled: z.boolean(),
  emailVerified: z.boolean(),
  createdAt: z.iso.datetime().nullable(),
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export const userDetailSchema = userSummarySchema.extend({
  /** Effective realm roles, as the user's access tokens carry them. */
  roles: z.array(z.string()),
});
export type UserDetail = z.infer<typeof userDetailSchema>;

export const signedUpSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  emailVerified: z.literal(false),
});
export type SignedUp = z.infer<typeof signedUpSchema>;

export const listUsersQuerySchema = pageQuerySchema.extend({
  /** Matched by Keycloak against username, e-mail, first and last name. */
  search: z.string().trim().min(1).max(100).optional(),
});
export type ListUsersQuery = z.infer<typeof listUsersQuerySchema>;

export const userParamsSchema = z.object({ id: z.uuid() });

export const userRoleParamsSchema = z.object({ id: z.uuid(), role: z.enum(assignableRoles) });
