/**
 * The platform's services, declared once. The local stack, each service's environment, the
 * cluster workloads (k8s/base/<service>/), the images and skaffold artifacts, the databases and the
 * mesh identities are all derived from this list; addresses come from environments/<name>.yaml.
 */
export const services = {
  auth: {
    database: { name: 'auth', user: 'auth', passwordVariable: 'AUTH_DB_PASSWORD' },
    clientSecretVariable: 'AUTH_SERVICE_CLIENT_SECRET',
    calls: [],
    redis: false,
    secretVariables: [],
  },
  user: {
    database: { name: 'users', user: 'users', passwordVariable: 'USER_DB_PASSWORD' },
    clientSecretVariable: 'USER_SERVICE_CLIENT_SECRET',
    calls: [],
    redis: false,
    secretVariables: [],
  },
  billing: {
    database: { name: 'billing', user: 'billing', passwordVariable: 'BILLING_DB_PASSWORD' },
    clientSecretVariable: 'BILLING_SERVICE_CLIENT_SECRET',
    // Looks up a user's profile on the user service when it opens an account (USER_SERVICE_URL).
    calls: ['user'],
    redis: true,
    // Card details are encrypted at rest with a key ring only billing holds.
    secretVariables: ['BILLING_ENCRYPTION_KEYS', 'BILLING_ACTIVE_KEY_ID'],
  },
} as const satisfies Record<string, ServiceDeclaration>;

export interface ServiceDeclaration {
  /** Its own PostgreSQL database and login role; nobody else connects to it. */
  database: { name: string; user: string; passwordVariable: string };
  /** The secret of its Keycloak client `<name>-service` (client credentials). */
  clientSecretVariable: string;
  /** The platform services it calls over HTTP: each becomes `<NAME>_SERVICE_URL`. */
  calls: readonly string[];
  /** Whether it uses Redis (REDIS_URL). */
  redis: boolean;
  /** Further secrets it reads, each under its own name. */
  secretVariables: readonly string[];
}

export type ServiceName = keyof typeof services;
export const serviceNames = Object.keys(services) as ServiceName[];

/** The workload, image, service account and Keycloak client of a service are all named this. */
export const workloadName = (service: ServiceName) => `${service}-service`;

/** Keycloak's own database: the one database the stack holds that no service owns. */
const keycloakDatabase = { name: 'keycloak', user: 'keycloak', passwordVariable: 'KEYCLOAK_DB_PASSWORD' };

/** Every database of the platform's PostgreSQL, each with its own login role. */
export const databaseOwners = [keycloakDatabase, ...serviceNames.map((name) => services[name].database)];
