import { amqpUrl, type Environment, localOnly, oidcOf, postgresUrl, secret } from './environment.js';
import { renderRealm } from './realm.js';
import { containerPorts, type ServiceName, serviceNames, services, workloadName } from './topology.js';

/**
 * The environment variables one service runs with, from its declaration in the topology and the
 * environment's addresses: the local stack runs it with these, the cluster's ConfigMap and Secret
 * carry the same (cluster/cluster-config.ts).
 */
export function serviceEnv(
  name: ServiceName,
  env: Environment,
  secrets: Record<string, string>,
): Record<string, string> {
  const declaration = services[name];
  const { database } = declaration;
  const endpoint = env.services[name];
  const oidc = oidcOf(env);
  const vars: Record<string, string> = {
    HOST: endpoint.host,
    PORT: String(endpoint.port),
    MANAGEMENT_PORT: String(endpoint.managementPort),
    LOG_LEVEL: 'info',
    OIDC_ISSUER_URL: oidc.issuer,
    OIDC_JWKS_URL: oidc.jwksUri,
    OIDC_AUDIENCE: oidc.audience,
    OIDC_TOKEN_URL: oidc.tokenUrl,
    OIDC_CLIENT_ID: workloadName(name),
    OIDC_CLIENT_SECRET: secret(secrets, declaration.clientSecretVariable),
    KEYCLOAK_URL: env.keycloak.internalUrl,
    KEYCLOAK_REALM: env.realm,
    DATABASE_URL: postgresUrl(env, database.user, secret(secrets, database.passwordVariable), database.name),
    AMQP_URL: amqpUrl(env, secrets),
    // Every service: the revocation list and cache invalidations are shared by all replicas.
    REDIS_URL: `redis://${env.redis.host}:${env.redis.port}`,
    REVOCATION_TTL_SECONDS: String(longestAccessTokenLifespanSeconds(env, secrets)),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${env.otelCollector.host}:${env.otelCollector.otlpHttpPort}`,
    OTEL_SERVICE_NAME: workloadName(name),
  };
  for (const callee of declaration.calls as readonly ServiceName[]) {
    const { host, port } = env.services[callee];
    vars[`${callee.toUpperCase()}_SERVICE_URL`] = `http://${host}:${port}`;
  }
  for (const variable of declaration.secretVariables) vars[variable] = secret(secrets, variable);
  return vars;
}

/**
 * The longest access-token lifetime the realm issues (its default and any client's own), the dev
 * additions included: a revoked subject stays on the revocation list that long, by which time every
 * token issued before the revocation has expired.
 */
export function longestAccessTokenLifespanSeconds(env: Environment, secrets: Record<string, string>): number {
  const realm = renderRealm(env, secrets, { dev: true }) as {
    accessTokenLifespan?: number;
    clients?: { attributes?: Record<string, string> }[];
  };
  const lifespans = [
    realm.accessTokenLifespan ?? 0,
    ...(realm.clients ?? []).map((client) => Number(client.attributes?.['access.token.lifespan'] ?? 0)),
  ];
  const longest = Math.max(...lifespans.filter((seconds) => Number.isFinite(seconds)));
  // Keycloak's own default when the realm names none.
  return longest > 0 ? longest : 300;
}

/**
 * The environment as a service sees it from its pod in the local mesh: the infrastructure at the
 * bridge's address (as in-cluster Services), every other service at its sidecar's outbound
 * listener on the pod's loopback.
 */
export function podView(env: Environment): Environment {
  const mesh = localOnly(env.mesh, 'mesh', env);
  const host = mesh.hostAddress;
  const keycloak = new URL(env.keycloak.internalUrl);
  keycloak.hostname = host;
  return {
    ...env,
    keycloak: { ...env.keycloak, internalUrl: keycloak.href.replace(/\/$/, '') },
    postgres: { ...env.postgres, host },
    rabbitmq: { ...env.rabbitmq, host },
    redis: { ...env.redis, host },
    otelCollector: { ...env.otelCollector, host },
    services: Object.fromEntries(
      serviceNames.map((name) => [
        name,
        { host: '127.0.0.1', port: mesh.outboundPorts[name], managementPort: containerPorts.management },
      ]),
    ) as Environment['services'],
  };
}

/**
 * One service's variables in its pod of the local mesh: it listens on the pod's loopback only, on
 * the container ports, so nothing but its own sidecar reaches it (as the cluster's pods do with
 * Istio's traffic capture).
 */
export function podServiceEnv(
  name: ServiceName,
  env: Environment,
  secrets: Record<string, string>,
): Record<string, string> {
  return {
    ...serviceEnv(name, podView(env), secrets),
    HOST: '127.0.0.1',
    PORT: String(containerPorts.http),
    MANAGEMENT_PORT: String(containerPorts.management),
  };
}
