import type { Logger } from '@platform/kit';
import type { DataSource } from 'typeorm';
import type { KeycloakIdentities } from '../data/keycloak-identities.js';
import type { UserRepository } from '../data/user-repository.js';

/** What the profile use cases work with: the local table, Keycloak, and a transaction boundary. */
export interface ProfileDependencies {
  readonly dataSource: DataSource;
  readonly users: UserRepository;
  readonly identities: KeycloakIdentities;
  readonly logger: Logger;
}
