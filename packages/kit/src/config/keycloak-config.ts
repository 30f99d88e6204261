import { z } from 'zod';
import { envUrl } from './env-values.js';

/** A service's own Keycloak client, for client-credentials tokens (calling other services or the Admin API). */
export const serviceClientConfigSchema = z.object({
  OIDC_TOKEN_URL: envUrl(),
  OIDC_CLIENT_ID: z.string().min(1),
  OIDC_CLIENT_SECRET: z.string().min(1),
});

/** Where the Keycloak Admin API is, for services that manage users. */
export const keycloakAdminConfigSchema = z.object({
  KEYCLOAK_URL: envUrl(),
  KEYCLOAK_REALM: z.string().min(1),
});

export type ServiceClientConfig = z.output<typeof serviceClientConfigSchema>;
export type KeycloakAdminConfig = z.output<typeof keycloakAdminConfigSchema>;
