import type { ServiceHttpClient } from '@platform/kit';
import { z } from 'zod';
import type { UserProfile } from '../domain/profile-directory.js';

/** What `/internal/users/by-subject/{sub}` answers; only the fields billing uses are read. */
const internalUserSchema = z.looseObject({
  username: z.string().nullish(),
  displayName: z.string().nullish(),
  status: z.enum(['active', 'suspended', 'deleted']).optional(),
});

/**
 * The user service's internal API, through the kit's client for calling another service
 * (billing's own token, timeout, retries, circuit breaker). When the user service cannot answer
 * this throws DependencyUnavailable; callers decide what waiting means.
 */
export class UserServiceClient {
  constructor(private readonly http: ServiceHttpClient) {}

  /** The user's profile, or null when the user service does not know the subject. */
  async profileBySubject(subject: string): Promise<UserProfile | null> {
    const body = await this.http.getJson(`internal/users/by-subject/${encodeURIComponent(subject)}`);
    if (body === null) return null;
    const user = internalUserSchema.parse(body);
    return {
      userId: subject,
      username: user.username ?? null,
      displayName: user.displayName ?? null,
      status: user.status ?? 'active',
    };
  }
}
