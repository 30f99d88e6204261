import { emailAddress, pageQuerySchema, pageSchema, personName } from '@platform/kit';
import { z } from 'zod';
import { userStatuses } from './user-store.js';

/** Preferences the user may set; unknown keys are refused rather than stored blindly. */
export const userSettingsSchema = z
  .object({
    locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag such as en or en-GB'),
    theme: z.enum(['light', 'dark', 'system']),
    emailNotifications: z.boolean(),
  })
  .partial()
  .strict()
  .meta({ id: 'UserSettings', description: 'Preferences; every key is optional' });
export type UserSettings = z.infer<typeof userSettingsSchema>;

const localProfileFields = {
  id: z.uuid().describe('The profile id in this service'),
  subject: z.string().describe('The Keycloak user id (`sub`); events call it userId'),
  username: z.string().nullable(),
  displayName: z.string().nullable(),
  avatarUrl: z.url().nullable(),
  status: z.enum(userStatuses),
  settings: userSettingsSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().describe('Moves on with every change; also sent as the ETag'),
};

/** A profile as its owner, support and admins see it: local fields merged with Keycloak's. */
export const profileSchema = z
  .object({
    ...localProfileFields,
    email: z.email().nullable().describe('Owned by Keycloak; null when Keycloak has no such user'),
    emailVerified: z.boolean(),
    firstName: z.string().nullable().describe('Owned by Keycloak'),
    lastName: z.string().nullable().describe('Owned by Keycloak'),
  })
  .meta({ id: 'Profile' });
export type Profile = z.infer<typeof profileSchema>;

/** A list entry: local fields only, so listing never calls Keycloak once per row. */
export const userSummarySchema = z.object(localProfileFields).meta({ id: 'UserSummary' });
export type UserSummary = z.infer<typeof userSummarySchema>;

export const userPageSchema = pageSchema(userSummarySchema, 'UserPage');

/** An https URL with a DNS host name: what a browser can load an avatar from. */
const httpsUrlPattern =
  /^https:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?:\/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)*(?:\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$/;

/**
 * One PATCH may mix Keycloak-owned fields (firstName, lastName, email) and local ones. Settings are
 * merged key by key into the stored ones; displayName and avatarUrl may be set to null to clear them.
 */
export const profileChangesSchema = z
  .strictObject({
    firstName: personName(255).optional(),
    lastName: personName(255).optional(),
    email: emailAddress().optional(),
    displayName: z.string().trim().min(1, 'must not be empty').max(100).nullable().optional(),
    avatarUrl: z
      .string()
      .max(2048)
      .regex(httpsUrlPattern, 'must be an https URL')
      .meta({ format: 'uri' })
      .nullable()
      .optional(),
    settings: userSettingsSchema.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, {
    error: 'give at least one field to change',
    // Only for an otherwise valid body: after an unknown key, "give a field" would mislead.
    when: (payload) => payload.issues.length === 0,
  })
  // The refinement above, as the document states it.
  .meta({ id: 'ProfileChanges', minProperties: 1 });
export type ProfileChanges = z.infer<typeof profileChangesSchema>;

/**
 * `If-Match` is optional: without it the last write wins; with a stale version the PATCH gets 412.
 * RFC 9110: `*` or a comma-separated list of entity tags, each an optionally weak quoted string of
 * visible ASCII other than `"`.
 */
export const ifMatchHeadersSchema = z.object({
  'if-match': z
    .string()
    .regex(
      /^[ \t]*(?:\*|(?:W\/)?"[\x21\x23-\x7e]*"(?:[ \t]*,[ \t]*(?:W\/)?"[\x21\x23-\x7e]*")*)[ \t]*$/,
      'must be * or entity tags such as "3", as sent in ETag',
    )
    .optional()
    .describe('The ETag of the profile this change was based on'),
});

export const userIdParamsSchema = z.object({ id: z.uuid('must be a profile id (uuid)') });
export const usernameParamsSchema = z.object({ username: z.string().min(1).max(255) });
export const subjectParamsSchema = z.object({
  sub: z.string().min(1).max(255).describe('The Keycloak user id, as events carry it in userId'),
});

export const listUsersQuerySchema = pageQuerySchema.extend({
  search: z.string().trim().min(1).max(100).optional().describe('Part of a username or display name'),
  status: z.enum(userStatuses).optional(),
});
export type ListUsersQuery = z.infer<typeof listUsersQuerySchema>;
