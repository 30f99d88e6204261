import { z } from 'zod';

/** What billing needs to know about a user, as the user service describes them. */
export const userProfileSchema = z.object({
  userId: z.string().min(1),
  username: z.string().nullable(),
  displayName: z.string().nullable(),
  status: z.enum(['active', 'suspended', 'deleted']),
});
export type UserProfile = z.infer<typeof userProfileSchema>;

/** Where profiles come from; behind it sit the user service, a cache and the resilience policies. */
export interface ProfileDirectory {
  /** Null when the user service does not know the user (yet). Throws DependencyUnavailable. */
  profileOf(userId: string): Promise<UserProfile | null>;
  /** Drops what is cached for the user, so the next read asks the user service again. */
  forget(userId: string): Promise<void>;
}
