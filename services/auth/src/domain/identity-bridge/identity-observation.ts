import type { KeycloakAdminEvent, KeycloakUserEvent } from './keycloak-events.js';
import type { IdentityState } from './identity-snapshot.js';

/**
 * What one Keycloak event says happened to a person, whichever log it came from: the person
 * appeared, some of their fields changed (an update carries only what was sent), they were
 * deleted, or their roles or groups changed.
 */
export type IdentityObservation =
  | { readonly kind: 'created'; readonly userId: string; readonly state: IdentityState }
  | { readonly kind: 'changed'; readonly userId: string; readonly changes: Partial<IdentityState> }
  | { readonly kind: 'deleted'; readonly userId: string }
  | { readonly kind: 'access_changed'; readonly userId: string };

const userPath = /^users\/([^/]+)$/;
const roleMappingPath = /^users\/([^/]+)\/role-mappings(\/|$)/;
const groupMembershipPath = /^users\/([^/]+)\/groups\/[^/]+$/;

/** An admin event's observation; undefined for anything that changes no person (or failed). */
export function observeAdminEvent(event: KeycloakAdminEvent): IdentityObservation | undefined {
  if (event.error !== undefined) return undefined;
  const path = event.resourcePath ?? '';
  switch (event.resourceType) {
    case 'USER': {
      // Other USER paths (reset-password, logout, execute-actions-email) change no bridged field.
      const userId = userPath.exec(path)?.[1];
      if (userId === undefined) return undefined;
      if (event.operationType === 'CREATE') {
        const changes = fieldsOf(event.representation);
        // Keycloak creates a user disabled unless the request says `enabled: true`.
        return { kind: 'created', userId, state: stateOf(userId, { enabled: false, ...changes }) };
      }
      if (event.operationType === 'UPDATE')
        return { kind: 'changed', userId, changes: fieldsOf(event.representation) };
      if (event.operationType === 'DELETE') return { kind: 'deleted', userId };
      return undefined;
    }
    case 'REALM_ROLE_MAPPING':
    case 'CLIENT_ROLE_MAPPING': {
      const userId = roleMappingPath.exec(path)?.[1];
      return userId === undefined ? undefined : { kind: 'access_changed', userId };
    }
    case 'GROUP_MEMBERSHIP': {
      const userId = groupMembershipPath.exec(path)?.[1];
      return userId === undefined ? undefined : { kind: 'access_changed', userId };
    }
    default:
      return undefined;
  }
}

/**
 * A user event's observation. User events carry no representation, so `current` is the person as
 * Keycloak holds them when the event is read (undefined: gone since; their deletion follows).
 */
export function observeUserEvent(
  event: KeycloakUserEvent,
  current: IdentityState | undefined,
): IdentityObservation | undefined {
  const userId = event.userId;
  if (event.error !== undefined || userId === undefined) return undefined;
  switch (event.type) {
    case 'REGISTER':
      return {
        kind: 'created',
        userId,
        state:
          current ??
          stateOf(userId, {
            enabled: true,
            username: lowerCased(event.details?.username),
            email: lowerCased(event.details?.email),
          }),
      };
    case 'UPDATE_PROFILE':
    case 'UPDATE_EMAIL':
      return current === undefined ? undefined : { kind: 'changed', userId, changes: current };
    case 'DELETE_ACCOUNT':
      return { kind: 'deleted', userId };
    default:
      return undefined;
  }
}

/** Whether a user event needs the person's current state to be observed. */
export const needsCurrentState = (event: KeycloakUserEvent): boolean =>
  event.error === undefined &&
  event.userId !== undefined &&
  ['REGISTER', 'UPDATE_PROFILE', 'UPDATE_EMAIL'].includes(event.type);

function stateOf(userId: string, fields: Partial<IdentityState> & { enabled: boolean }): IdentityState {
  return {
    userId,
    username: fields.username,
    email: fields.email,
    firstName: fields.firstName,
    lastName: fields.lastName,
    enabled: fields.enabled,
  };
}

/**
 * The bridged fields a representation sets: a field that is absent is unchanged, one sent empty
 * or null is cleared. Keycloak stores usernames and e-mail addresses in lower case.
 */
function fieldsOf(representation: string | undefined): Partial<IdentityState> {
  const body = parsedObject(representation);
  const fields: { -readonly [K in keyof IdentityState]?: IdentityState[K] } = {};
  for (const name of ['username', 'email', 'firstName', 'lastName'] as const) {
    if (!(name in body)) continue;
    const value = body[name];
    const text = typeof value === 'string' && value.length > 0 ? value : undefined;
    fields[name] = name === 'username' || name === 'email' ? lowerCased(text) : text;
  }
  if (typeof body.enabled === 'boolean') fields.enabled = body.enabled;
  return fields;
}

function parsedObject(representation: string | undefined): Record<string, unknown> {
  if (representation === undefined) return {};
  try {
    const value: unknown = JSON.parse(representation);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

const lowerCased = (value: string | undefined) => value?.toLowerCase();
