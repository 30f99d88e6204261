import { keycloakAdminConfigSchema, serviceClientConfigSchema, serviceConfigSchema } from '@platform/kit';

/** The kit's variables, the service's own client credentials, and where the Keycloak Admin API is. */
export const authConfigSchema = serviceConfigSchema
  .extend(serviceClientConfigSchema.shape)
  .extend(keycloakAdminConfigSchema.shape);
