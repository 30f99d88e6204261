import { z } from 'zod';

/**
 * What the bridge reads from Keycloak's event store, as the Admin API returns it (Keycloak 26.7:
 * `GET /admin/realms/{realm}/admin-events` and `…/events`). Only the fields the bridge uses;
 * Keycloak adds others.
 */
export const keycloakAdminEventSchema = z.object({
  id: z.string().min(1),
  time: z.number().int().nonnegative(),
  operationType: z.string(),
  resourceType: z.string(),
  resourcePath: z.string().optional(),
  /** The request's JSON body (with `adminEventsDetailsEnabled`); for an update only what was sent. */
  representation: z.string().optional(),
  /** Who made the change: `userId` is the acting account (a client's service account for clients). */
  authDetails: z
    .object({
      realmId: z.string().optional(),
      clientId: z.string().optional(),
      userId: z.string().optional(),
    })
    .optional(),
  error: z.string().optional(),
});
export type KeycloakAdminEvent = z.infer<typeof keycloakAdminEventSchema>;

export const keycloakUserEventSchema = z.object({
  id: z.string().min(1),
  time: z.number().int().nonnegative(),
  type: z.string(),
  userId: z.string().optional(),
  clientId: z.string().optional(),
  details: z.record(z.string(), z.string()).optional(),
  error: z.string().optional(),
});
export type KeycloakUserEvent = z.infer<typeof keycloakUserEventSchema>;

/** Admin-event resource types that describe a user or what the user may do. */
export const bridgedResourceTypes = [
  'USER',
  'REALM_ROLE_MAPPING',
  'CLIENT_ROLE_MAPPING',
  'GROUP_MEMBERSHIP',
] as const;

/**
 * User-event types the bridge turns into platform events. The realm stores only these plus
 * LOGIN_ERROR (kept for the security audit; the bridge does not read it).
 */
export const bridgedUserEventTypes = [
  'REGISTER',
  'UPDATE_PROFILE',
  'UPDATE_EMAIL',
  'DELETE_ACCOUNT',
] as const;

/** Either kind of Keycloak event, tagged with the log it came from. */
export type KeycloakEvent =
  ({ readonly source: 'admin' } & KeycloakAdminEvent) | ({ readonly source: 'user' } & KeycloakUserEvent);
