import { keycloakAdminConfigSchema, serviceClientConfigSchema, serviceConfigSchema } from '@platform/kit';

/** The kit's variables plus the service's own client (for the Admin API) and where Keycloak is. */
export const userConfigSchema = serviceConfigSchema
  .extend(serviceClientConfigSchema.shape)
  .extend(keycloakAdminConfigSchema.shape);
