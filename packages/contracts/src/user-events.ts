import { z } from 'zod';

/**
 * v1 payload of every user-lifecycle event. Everything but `userId` is optional so that an
 * event only carries what its producer knows (a deletion knows little more than the id).
 */
export const userEventDataV1Schema = z.object({
  userId: z.string().min(1),
  email: z.email().optional(),
  username: z.string().min(1).optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
});

export type UserEventDataV1 = z.infer<typeof userEventDataV1Schema>;

export const userRegisteredV1Schema = userEventDataV1Schema;
export const userUpdatedV1Schema = userEventDataV1Schema;
export const userDisabledV1Schema = userEventDataV1Schema;
export const userEnabledV1Schema = userEventDataV1Schema;
export const userDeletedV1Schema = userEventDataV1Schema;
export const userProfileUpdatedV1Schema = userEventDataV1Schema;

export type UserRegisteredV1 = z.infer<typeof userRegisteredV1Schema>;
export type UserUpdatedV1 = z.infer<typeof userUpdatedV1Schema>;
export type UserDisabledV1 = z.infer<typeof userDisabledV1Schema>;
export type UserEnabledV1 = z.infer<typeof userEnabledV1Schema>;
export type UserDeletedV1 = z.infer<typeof userDeletedV1Schema>;
export type UserProfileUpdatedV1 = z.infer<typeof userProfileUpdatedV1Schema>;
