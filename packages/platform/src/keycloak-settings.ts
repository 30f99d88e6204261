import type { Environment } from './environment.js';

/**
 * Keycloak's own settings for an environment, the same for the local stack and the cluster: its
 * database, ports, health and metrics, and hostname v2 with the full public URL, so tokens carry
 * the public issuer however Keycloak was reached (the internal URL included) and discovery through
 * the internal URL advertises internal endpoints. Secrets and the listening interface are the
 * caller's.
 */
export function keycloakSettings(env: Environment): Record<string, string> {
  return {
    KC_DB: 'postgres',
    KC_DB_URL: `jdbc:postgresql://${env.postgres.host}:${env.postgres.port}/keycloak`,
    KC_DB_USERNAME: 'keycloak',
    KC_HTTP_PORT: String(env.keycloak.port),
    KC_HTTP_MANAGEMENT_PORT: String(env.keycloak.managementPort),
    KC_HEALTH_ENABLED: 'true',
    KC_METRICS_ENABLED: 'true',
    KC_HOSTNAME: env.keycloak.publicUrl,
    KC_HOSTNAME_BACKCHANNEL_DYNAMIC: 'true',
  };
}
