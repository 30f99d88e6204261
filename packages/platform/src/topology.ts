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
    secretVariables: [],
  },
  user: {
    database: { name: 'users', user: 'users', passwordVariable: 'USER_DB_PASSWORD' },
    clientSecretVariable: 'USER_SERVICE_CLIENT_SECRET',
    calls: [],
    secretVariables: [],
  },
  billing: {
    database: { name: 'billing', user: 'billing', passwordVariable: 'BILLING_DB_PASSWORD' },
    clientSecretVariable: 'BILLING_SERVICE_CLIENT_SECRET',
    // Looks up a user's profile on the user service when it opens an account (USER_SERVICE_URL).
    calls: ['user'],
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

/** The Kubernetes namespace of the platform's workloads (and of their mesh identities). */
export const namespace = 'platform';

/**
 * Ports inside each service's pod (the cluster's containers, the local mesh's network namespaces):
 * the mesh policies name these; the cluster's Services expose `http` on 80 and `http-mgmt` on 9090.
 */
export const containerPorts = { http: 3000, management: 9090 } as const;

/** The mesh's trust domain (Istio's default): a workload is spiffe://<trust domain>/ns/<ns>/sa/<sa>. */
export const trustDomain = 'cluster.local';

/** A workload identity of the mesh: its Kubernetes service account. */
export interface MeshIdentity {
  namespace: string;
  serviceAccount: string;
}

/** The edge's workload identity (Tyk's service account): every north-south request reaches a service from it. */
export const edgeIdentity: MeshIdentity = { namespace, serviceAccount: 'tyk-gateway' };
/** Prometheus, scraping the management ports through the mesh (mesh/observability-authorization.yaml). */
export const prometheusIdentity: MeshIdentity = { namespace: 'monitoring', serviceAccount: 'prometheus' };
/** A service's workload identity: its workload's service account. */
export const serviceIdentity = (service: ServiceName): MeshIdentity => ({
  namespace,
  serviceAccount: workloadName(service),
});

/** Istio's principal of an identity, as AuthorizationPolicy names it (`<td>/ns/<ns>/sa/<sa>`). */
export const principalOf = ({ namespace: ns, serviceAccount }: MeshIdentity) =>
  `${trustDomain}/ns/${ns}/sa/${serviceAccount}`;
/** The SPIFFE ID in the identity's certificate (its URI SAN). */
export const spiffeIdOf = (identity: MeshIdentity) => `spiffe://${principalOf(identity)}`;
