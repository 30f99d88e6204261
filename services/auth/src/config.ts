import { keycloakAdminConfigSchema, serviceClientConfigSchema, serviceConfigSchema } from '@platform/kit';
import { z } from 'zod';

/**
 * The Keycloak events bridge: how often it reads Keycloak's event log, which clients' changes are
 * the platform's own (already announced by the service that made them), and how long Keycloak
 * keeps events (the realm's `eventsExpiration`): a cursor older than that may have missed events,
 * so the bridge then reconciles against the realm's users instead of trusting it.
 */
export const keycloakEventsBridgeConfigSchema = z.object({
  KEYCLOAK_EVENTS_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  KEYCLOAK_EVENTS_PLATFORM_CLIENTS: z
    .string()
    .default('auth-service,user-service')
    .transform((value) =>
      value
        .split(',')
        .map((clientId) => clientId.trim())
        .filter((clientId) => clientId.length > 0),
    ),
  KEYCLOAK_EVENTS_RETENTION_SECONDS: z.coerce.number().int().positive().default(604_800),
});

/** The kit's variables, the service's own client credentials, and where the Keycloak Admin API is. */
export const authConfigSchema = serviceConfigSchema
  .extend(serviceClientConfigSchema.shape)
  .extend(keycloakAdminConfigSchema.shape)
  .extend(keycloakEventsBridgeConfigSchema.shape);
