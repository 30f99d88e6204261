import { z } from 'zod';
import { userStatuses } from '../data/user-entity.js';

/** Preferences the user may set; unknown keys are refused rather than stored blindly. */
export const userSettingsSchema = z
  .object({
    locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag such as en or en-GB'),
    theme: z.enum(['light', 'dark', 'system']),
    emailNotifications: z.boolean(),
  })
  .partial()
  .strict();
export type UserSettings = z.infer<typeof userSettingsSchema>;

export const profileSchema = z.object({
  id: z.uuid(),
  username: z.string().nullable(),
  displayName: z.string().nullable(),
  avatarUrl: z.url().nullable(),
  status: z.enum(userStatuses),
  settings: userSettingsSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int(),
});
export type Profile = z.infer<typeof profileSchema>;
