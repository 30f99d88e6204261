import { principalOf, RouteTable, type Auth } from '@platform/kit';
import type { UserRepository } from '../data/user-repository.js';
import { getMyProfile } from '../domain/get-my-profile.js';

export function usersRoutes(auth: Auth, users: UserRepository): RouteTable {
  return new RouteTable({ auth, basePath: '/users' }).get('/me', { roles: ['user'] }, async (req, res) => {
    res.json(await getMyProfile(users, principalOf(req)));
  });
}
