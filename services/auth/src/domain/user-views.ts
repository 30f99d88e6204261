import type { UserEventDataV1 } from '@platform/contracts';
import type { DirectoryUser } from './user-directory.js';
import type { UserDetail, UserSummary } from './user-schemas.js';

export function toUserSummary(user: DirectoryUser): UserSummary {
  return {
    id: user.id,
    username: user.username,
    email: user.email ?? null,
    firstName: user.firstName ?? null,
    lastName: user.lastName ?? null,
    enabled: user.enabled,
    emailVerified: user.emailVerified,
    createdAt: user.createdAt?.toISOString() ?? null,
  };
}

export function toUserDetail(user: DirectoryUser, roles: string[]): UserDetail {
  return { ...toUserSummary(user), roles };
}

/** The v1 payload of the user-lifecycle events: what this service knows about the person. */
export function userEventData(user: DirectoryUser): UserEventDataV1 {
  return {
    userId: user.id,
    username: user.username,
    ...(user.email === undefined ? {} : { email: user.email }),
    ...(user.firstName === undefined ? {} : { firstName: user.firstName }),
    ...(user.lastName === undefined ? {} : { lastName: user.lastName }),
  };
}
