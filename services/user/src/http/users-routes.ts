import {
  parseBody,
  parseHeaders,
  parseParams,
  parseQuery,
  principalOf,
  RouteTable,
  type Auth,
} from '@platform/kit';
import { getMyProfile } from '../domain/get-my-profile.js';
import { getUser } from '../domain/get-user.js';
import { listUsers } from '../domain/list-users.js';
import type { ProfileDependencies } from '../domain/profile-dependencies.js';
import {
  ifMatchHeadersSchema,
  listUsersQuerySchema,
  profileChangesSchema,
  userIdParamsSchema,
} from '../domain/profile-schemas.js';
import { updateMyProfile } from '../domain/update-my-profile.js';
import { activeCaller } from './active-caller.js';
import { expectedVersionsOf, sendProfile } from './profile-etag.js';

export function usersRoutes(auth: Auth, dependencies: ProfileDependencies): RouteTable {
  const active = activeCaller(dependencies.users);
  return (
    new RouteTable({ auth, basePath: '/users' })
      // No `active` here: getMyProfile checks the status on the row it reads or provisions anyway,
      // so the most frequent route reads the caller's row once.
      .get('/me', { roles: ['user'] }, async (req, res) => {
        sendProfile(res, await getMyProfile(dependencies, principalOf(req)));
      })
      .patch('/me', { roles: ['user'] }, active, async (req, res) => {
        const changes = parseBody(profileChangesSchema, req);
        const headers = parseHeaders(ifMatchHeadersSchema, req);
        const update = { changes, expectedVersions: expectedVersionsOf(headers['if-match']) };
        sendProfile(res, await updateMyProfile(dependencies, principalOf(req), update));
      })
      .get('/', { roles: ['admin'] }, active, async (req, res) => {
        res.json(await listUsers(dependencies.users, parseQuery(listUsersQuerySchema, req)));
      })
      .get('/:id', { roles: ['support', 'admin'] }, active, async (req, res) => {
        sendProfile(res, await getUser(dependencies, parseParams(userIdParamsSchema, req).id));
      })
  );
}
