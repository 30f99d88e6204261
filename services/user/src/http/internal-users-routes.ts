import { parseParams, RouteTable, type Auth } from '@platform/kit';
import { findUserBySubject, findUserByUsername } from '../domain/find-internal-user.js';
import { getUser } from '../domain/get-user.js';
import type { ProfileDependencies } from '../domain/profile-dependencies.js';
import { subjectParamsSchema, userIdParamsSchema, usernameParamsSchema } from '../domain/profile-schemas.js';
import { activeCaller } from './active-caller.js';
import { sendProfile } from './profile-etag.js';

/**
 * Held only by service accounts (the billing service's, in the realm): the service checks it
 * itself rather than trusting that only the mesh can reach these routes.
 */
export const internalReadRole = 'users:read-internal';

export function internalUsersRoutes(auth: Auth, dependencies: ProfileDependencies): RouteTable {
  const access = { roles: [internalReadRole] };
  const active = activeCaller(dependencies.users);
  return new RouteTable({ auth, basePath: '/internal/users' })
    .get('/by-username/:username', access, active, async (req, res) => {
      sendProfile(
        res,
        await findUserByUsername(dependencies, parseParams(usernameParamsSchema, req).username),
      );
    })
    .get('/by-subject/:sub', access, active, async (req, res) => {
      sendProfile(res, await findUserBySubject(dependencies, parseParams(subjectParamsSchema, req).sub));
    })
    .get('/:id', access, active, async (req, res) => {
      sendProfile(res, await getUser(dependencies, parseParams(userIdParamsSchema, req).id));
    });
}
