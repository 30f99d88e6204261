import type { Request } from 'express';
import { parseParams, parseQuery, principalOf, requestIdOf, RouteTable, type Auth } from '@platform/kit';
import type { AdminDependencies } from '../domain/admin-dependencies.js';
import type { ChangeContext } from '../domain/change-context.js';
import { grantRole, revokeRole } from '../domain/change-user-role.js';
import { deleteUser } from '../domain/delete-user.js';
import { getUser } from '../domain/get-user.js';
import { listUsers } from '../domain/list-users.js';
import { disableUser, enableUser } from '../domain/set-user-enabled.js';
import { listUsersQuerySchema, userParamsSchema, userRoleParamsSchema } from '../domain/user-schemas.js';

const readers = { roles: ['admin', 'support'] };
const administrators = { roles: ['admin'] };

/** User administration: admins change accounts, support may read them. */
export function adminUserRoutes(auth: Auth, dependencies: AdminDependencies): RouteTable {
  const { directory } = dependencies;
  return new RouteTable({ auth, basePath: '/auth/admin/users' })
    .get('/', readers, async (req, res) => {
      res.json(await listUsers(directory, parseQuery(listUsersQuerySchema, req)));
    })
    .get('/:id', readers, async (req, res) => {
      res.json(await getUser(directory, parseParams(userParamsSchema, req).id));
    })
    .post('/:id/disable', administrators, async (req, res) => {
      res.json(await disableUser(dependencies, parseParams(userParamsSchema, req).id, changeContextOf(req)));
    })
    .post('/:id/enable', administrators, async (req, res) => {
      res.json(await enableUser(dependencies, parseParams(userParamsSchema, req).id, changeContextOf(req)));
    })
    .put('/:id/roles/:role', administrators, async (req, res) => {
      const { id, role } = parseParams(userRoleParamsSchema, req);
      res.json(await grantRole(dependencies, id, role, changeContextOf(req)));
    })
    .delete('/:id/roles/:role', administrators, async (req, res) => {
      const { id, role } = parseParams(userRoleParamsSchema, req);
      res.json(await revokeRole(dependencies, id, role, changeContextOf(req)));
    })
    .delete('/:id', administrators, async (req, res) => {
      await deleteUser(dependencies, parseParams(userParamsSchema, req).id, changeContextOf(req));
      res.status(204).end();
    });
}

function changeContextOf(req: Request): ChangeContext {
  const principal = principalOf(req);
  return { actor: { subject: principal.subject, roles: principal.roles }, requestId: requestIdOf(req) };
}
