import { defineService } from '@platform/kit';
import { userConfigSchema } from './config.js';
import { CreateUsers1764000000000 } from './data/migrations/1764000000000-create-users.js';
import { User } from './data/user-entity.js';
import { UserRepository } from './data/user-repository.js';
import { usersRoutes } from './http/users-routes.js';

export const service = defineService({
  name: 'user',
  configSchema: userConfigSchema,
  entities: [User],
  migrations: [CreateUsers1764000000000],
  routes: ({ auth, dataSource }) => [usersRoutes(auth, new UserRepository(dataSource))],
});
