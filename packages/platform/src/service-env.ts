import { amqpUrl, type Environment, oidcOf, postgresUrl, secret } from './environment.js';
import { type ServiceName, services, workloadName } from './topology.js';

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
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${env.otelCollector.host}:${env.otelCollector.otlpHttpPort}`,
    OTEL_SERVICE_NAME: workloadName(name),
  };
  if (declaration.redis) vars.REDIS_URL = `redis://${env.redis.host}:${env.redis.port}`;
  for (const callee of declaration.calls as readonly ServiceName[]) {
    const { host, port } = env.services[callee];
    vars[`${callee.toUpperCase()}_SERVICE_URL`] = `http://${host}:${port}`;
  }
  for (const variable of declaration.secretVariables) vars[variable] = secret(secrets, variable);
  return vars;
}
