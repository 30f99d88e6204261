import type { AuditRepository } from '../data/audit-repository.js';
import type { KeycloakUserDirectory } from '../data/keycloak-user-directory.js';

/** What the user-administration use cases work with. */
export interface AdminDependencies {
  readonly directory: KeycloakUserDirectory;
  readonly audit: AuditRepository;
}
