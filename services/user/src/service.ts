import {
  CacheInvalidations,
  defineService,
  keycloakAdminFromConfig,
  type RedisBroadcast,
} from '@platform/kit';
import { userConfigSchema } from './config.js';
import { KeycloakIdentities } from './data/keycloak-identities.js';
import { RecentEntries } from './data/recent-entries.js';
import { CreateUsers1764000000000 } from './data/migrations/1764000000000-create-users.js';
import { UsersLookupsAndIdentityEventOrder1764100000000 } from './data/migrations/1764100000000-users-lookups-and-identity-event-order.js';
import { User } from './data/user-entity.js';
import { UserRepository } from './data/user-repository.js';
import type { ProfileDependencies } from './domain/profile-dependencies.js';
import { identityCacheConsumer } from './events/identity-cache-consumer.js';
import { identityEventsConsumer } from './events/identity-events-consumer.js';
import { userApiOperations } from './http/api-operations.js';
import { internalUsersRoutes } from './http/internal-users-routes.js';
import { usersRoutes } from './http/users-routes.js';

/** The channel on which every replica drops a user's cached identity (KeycloakIdentities.findRecent). */
const identityCacheOf = (broadcast: RedisBroadcast) =>
  new CacheInvalidations(broadcast, 'user-service:identities');

/** The channel on which every replica drops a user's cached row. */
export const userRowsCache = 'user-service:users';

export const service = defineService({
  name: 'user',
  configSchema: userConfigSchema,
  entities: [User],
  migrations: [CreateUsers1764000000000, UsersLookupsAndIdentityEventOrder1764100000000],
  // Built once per service, so every route reads through the same recent rows and identities.
  components: (context): ProfileDependencies => ({
    unitOfWork: context.unitOfWork,
    users: new UserRepository(
      context.dataSource,
      new RecentEntries({
        invalidations: new CacheInvalidations(context.broadcast, userRowsCache),
        logger: context.logger,
        what: 'a user',
      }),
    ),
    identities: new KeycloakIdentities(keycloakAdminFromConfig(context), {
      invalidations: identityCacheOf(context.broadcast),
      logger: context.logger,
    }),
    logger: context.logger,
  }),
  routes: ({ auth, components }) => [usersRoutes(auth, components), internalUsersRoutes(auth, components)],
  api: {
    description: 'Profiles owned jointly with Keycloak: local fields here, e-mail and names in Keycloak.',
    operations: userApiOperations,
  },
  consumers: ({ components, broadcast }) => [
    identityEventsConsumer(components.users),
    identityCacheConsumer(identityCacheOf(broadcast)),
  ],
});
