import type { KeycloakAdmin } from '@platform/kit';
import type { KeycloakUserRecord } from './keycloak-user-directory.js';
import type { KeycloakEventLog } from '../domain/identity-bridge/identity-bridge-ports.js';
import type { IdentityState } from '../domain/identity-bridge/identity-snapshot.js';
import {
  bridgedResourceTypes,
  bridgedUserEventTypes,
  keycloakAdminEventSchema,
  keycloakUserEventSchema,
  type KeycloakAdminEvent,
  type KeycloakUserEvent,
} from '../domain/identity-bridge/keycloak-events.js';

// Keycloak names every service account like this; such accounts are services, not people.
const serviceAccountPrefix = 'service-account-';
const peoplePageSize = 100;

/**
 * Keycloak's event store and users through the Admin API, with the service account's
 * `view-events` (events) and `view-users`/`query-users` (people).
 *
 * Keycloak 26.7 takes `dateFrom` as yyyy-MM-dd or epoch milliseconds (inclusive) and `direction`
 * asc|desc (newest first by default); the admin client's typings know neither form, so they are
 * passed as they go on the wire.
 */
export class KeycloakEventLogReader implements KeycloakEventLog {
  constructor(
    private readonly admin: KeycloakAdmin,
    private readonly realm: string,
  ) {}

  async adminEvents(fromMs: number, max: number): Promise<KeycloakAdminEvent[]> {
    const query = { ...this.window(fromMs, max), resourceTypes: [...bridgedResourceTypes] };
    const events = await this.admin.realms.findAdminEvents(
      query as unknown as Parameters<KeycloakAdmin['realms']['findAdminEvents']>[0],
    );
    return events.map((event) => keycloakAdminEventSchema.parse(event));
  }

  async userEvents(fromMs: number, max: number): Promise<KeycloakUserEvent[]> {
    const query = { ...this.window(fromMs, max), type: [...bridgedUserEventTypes] };
    const events = await this.admin.realms.findEvents(
      query as unknown as Parameters<KeycloakAdmin['realms']['findEvents']>[0],
    );
    return events.map((event) => keycloakUserEventSchema.parse(event));
  }

  /** Oldest first from `fromMs` (inclusive), at most `max`: how both event lists are read. */
  private window(fromMs: number, max: number) {
    return { realm: this.realm, dateFrom: String(fromMs), direction: 'asc', first: 0, max };
  }

  async person(id: string): Promise<IdentityState | undefined> {
    const record = (await this.admin.users.findOne({ id })) as KeycloakUserRecord | null;
    return record ? personOf(record) : undefined;
  }

  async *people(): AsyncIterable<IdentityState> {
    for (let first = 0; ; first += peoplePageSize) {
      const records = (await this.admin.users.find({
        first,
        max: peoplePageSize,
        briefRepresentation: true,
      })) as KeycloakUserRecord[];
      for (const record of records) {
        const person = personOf(record);
        if (person) yield person;
      }
      if (records.length < peoplePageSize) return;
    }
  }

  async serviceAccountUserId(clientId: string): Promise<string | undefined> {
    const [record] = (await this.admin.users.find({
      username: `${serviceAccountPrefix}${clientId}`,
      exact: true,
      briefRepresentation: true,
    })) as KeycloakUserRecord[];
    return record?.id;
  }
}

function personOf(record: KeycloakUserRecord): IdentityState | undefined {
  if (record.id === undefined || record.username === undefined) return undefined;
  if (record.username.startsWith(serviceAccountPrefix)) return undefined;
  return {
    userId: record.id,
    username: record.username,
    email: record.email || undefined,
    firstName: record.firstName || undefined,
    lastName: record.lastName || undefined,
    enabled: record.enabled ?? false,
  };
}
