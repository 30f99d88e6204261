import { principalOf } from '@platform/kit';
import type { RequestHandler } from 'express';
import type { UserRepository } from '../data/user-repository.js';
import { assertCallerActive } from '../domain/user-status.js';

/** Mounted on every authenticated route, after the role check: suspended and deleted users get 403. */
export function activeCaller(users: UserRepository): RequestHandler {
  return async (req, _res, next) => {
    await assertCallerActive(users, principalOf(req));
    next();
  };
}
