import { amqpUrl, type Environment, oidcOf, postgresUrl, secret, type ServiceName } from './environment.js';

/** Each service's own database, user and secrets. */
const owners: Record<
  ServiceName,
  { database: string; user: string; dbPassword: string; clientSecret: string }
> = {
  auth: {
    database: 'auth',
    user: 'auth',
    dbPassword: 'AUTH_DB_PASSWORD',
    clientSecret: 'AUTH_SERVICE_CLIENT_SECRET',
  },
  user: {
    database: 'users',
    user: 'users',
    dbPassword: 'USER_DB_PASSWORD',
    clientSecret: 'USER_SERVICE_CLIENT_SECRET',
  },
  billing: {
    database: 'billing',
    user: 'billing',
    dbPassword: 'BILLING_DB_PASSWORD',
    clientSecret: 'BILLING_SERVICE_CLIENT_SECRET',
  },
};

/** The environment variables one service runs with in the local stack, rendered from the environment source. */
export function serviceEnv(
  name: ServiceName,
  env: Environment,
  secrets: Record<string, string>,
): Record<string, string> {
  const owner = owners[name];
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
    OIDC_CLIENT_ID: `${name}-service`,
    OIDC_CLIENT_SECRET: secret(secrets, owner.clientSecret),
    KEYCLOAK_URL: env.keycloak.internalUrl,
    KEYCLOAK_REALM: env.realm,
    DATABASE_URL: postgresUrl(env, owner.user, secret(secrets, owner.dbPassword), owner.database),
    AMQP_URL: amqpUrl(env, secrets),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${env.otelCollector.host}:${env.otelCollector.otlpHttpPort}`,
    OTEL_SERVICE_NAME: `${name}-service`,
  };
  if (name === 'billing') {
    vars.REDIS_URL = `redis://${env.redis.host}:${env.redis.port}`;
    vars.USER_SERVICE_URL = `http://${env.services.user.host}:${env.services.user.port}`;
    vars.BILLING_ENCRYPTION_KEYS = secret(secrets, 'BILLING_ENCRYPTION_KEYS');
    vars.BILLING_ACTIVE_KEY_ID = secret(secrets, 'BILLING_ACTIVE_KEY_ID');
  }
  return vars;
}
