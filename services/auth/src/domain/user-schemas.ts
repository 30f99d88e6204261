import { emailAddress, pageQuerySchema, pageSchema, personName } from '@platform/kit';
import { z } from 'zod';

/** Realm roles an administrator may grant or remove; every other realm role is out of reach. */
export const assignableRoles = ['user', 'support', 'admin', 'billing-admin'] as const;
export type AssignableRole = (typeof assignableRoles)[number];

/** Every signed-up person holds this role (through the realm's default roles). */
export const defaultRole: AssignableRole = 'user';

// Sign-up makes the e-mail address the account's username.
const signUpEmail = emailAddress({ asUsername: true });

/**
 * The realm's password policy (keycloak/realm.json: length(10), digits(1), lowerCase(1),
 * upperCase(1)), checked here too so that the API document states it; Keycloak still judges, and
 * refuses a password equal to the username or e-mail, which no schema can say.
 */
const password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256)
  .regex(/[0-9]/, 'must contain a digit')
  .regex(/[a-z]/, 'must contain a lower-case letter')
  .regex(/[A-Z]/, 'must contain an upper-case letter');

export const signUpBodySchema = z
  .strictObject({
    email: signUpEmail,
    password,
    firstName: personName(100),
    lastName: personName(100),
  })
  .meta({ id: 'SignUp' });
export type SignUpBody = z.infer<typeof signUpBodySchema>;

// Any address Keycloak holds may ask: an address set through the user service need not be a username.
export const passwordResetBodySchema = z
  .strictObject({ email: emailAddress() })
  .meta({ id: 'PasswordReset' });
export type PasswordResetBody = z.infer<typeof passwordResetBodySchema>;

const userSummaryFields = {
  id: z.uuid(),
  username: z.string(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  enabled: z.boolean(),
  emailVerified: z.boolean(),
  createdAt: z.iso.datetime().nullable(),
};

export const userSummarySchema = z.object(userSummaryFields).meta({ id: 'AccountSummary' });
export type UserSummary = z.infer<typeof userSummarySchema>;

export const userDetailSchema = z
  .object({
    ...userSummaryFields,
    roles: z.array(z.string()).describe('Effective realm roles, as the user’s access tokens carry them'),
  })
  .meta({ id: 'Account' });
export type UserDetail = z.infer<typeof userDetailSchema>;

export const signedUpSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    emailVerified: z.literal(false),
  })
  .meta({ id: 'SignedUp' });
export type SignedUp = z.infer<typeof signedUpSchema>;

export const accountPageSchema = pageSchema(userSummarySchema, 'AccountPage');

export const listUsersQuerySchema = pageQuerySchema.extend({
  search: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('Matched by Keycloak against username, e-mail, first and last name'),
  // Keycloak pages by offset: this cursor carries the offset and the search it belongs to.
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,512}$/, 'must be a nextCursor this API returned')
    .optional()
    .describe('The `nextCursor` of the previous page, with the same `search`'),
});
export type ListUsersQuery = z.infer<typeof listUsersQuerySchema>;

export const userParamsSchema = z.object({ id: z.uuid() });

export const userRoleParamsSchema = z.object({ id: z.uuid(), role: z.enum(assignableRoles) });

export const passwordResetAcceptedSchema = z
  .object({ message: z.string() })
  .meta({ id: 'PasswordResetAccepted' });
