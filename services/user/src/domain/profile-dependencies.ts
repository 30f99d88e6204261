import type { Logger, UnitOfWork } from '@platform/kit';
import type { IdentityDirectory } from './identity-directory.js';
import type { UserStore } from './user-store.js';

/** What the profile use cases work with: the local users, Keycloak, and a transaction boundary. */
export interface ProfileDependencies {
  readonly unitOfWork: UnitOfWork;
  readonly users: UserStore;
  readonly identities: IdentityDirectory;
  readonly logger: Logger;
}
