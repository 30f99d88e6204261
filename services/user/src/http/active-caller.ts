import { principalOf } from '@platform/kit';
import type { RequestHandler } from 'express';
import { assertCallerActive } from '../domain/user-status.js';
import type { UserStore } from '../domain/user-store.js';

/** Mounted on every authenticated route, after the role check: suspended and deleted users get 403. */
export function activeCaller(users: UserStore): RequestHandler {
  return async (req, _res, next) => {
    await assertCallerActive(users, principalOf(req));
    next();
  };
}
