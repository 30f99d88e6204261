import type { z } from 'zod';
import type { EventEnvelope } from './envelope.js';
import { EventTypes, type EventType } from './event-types.js';
import { invoicePaidV1Schema, type InvoicePaidV1 } from './invoice-events.js';
import {
  userDeletedV1Schema,
  userDisabledV1Schema,
  userEnabledV1Schema,
  userProfileUpdatedV1Schema,
  userRegisteredV1Schema,
  userUpdatedV1Schema,
  type UserDeletedV1,
  type UserDisabledV1,
  type UserEnabledV1,
  type UserProfileUpdatedV1,
  type UserRegisteredV1,
  type UserEventDataV1,
  type UserUpdatedV1,
} from './user-events.js';

/**
 * Every published payload schema by type and version. A new version is added next to the old
 * one, never in its place, because consumers may still receive (or replay) the old shape.
 */
export const eventCatalog = {
  [EventTypes.userRegistered]: { 1: userRegisteredV1Schema },
  [EventTypes.userUpdated]: { 1: userUpdatedV1Schema },
  [EventTypes.userDisabled]: { 1: userDisabledV1Schema },
  [EventTypes.userEnabled]: { 1: userEnabledV1Schema },
  [EventTypes.userDeleted]: { 1: userDeletedV1Schema },
  [EventTypes.userProfileUpdated]: { 1: userProfileUpdatedV1Schema },
  [EventTypes.invoicePaid]: { 1: invoicePaidV1Schema },
} as const satisfies Record<EventType, Record<number, z.ZodType>>;

/** The current (v1) payload type of each event. */
export interface EventDataV1 {
  'user.registered': UserRegisteredV1;
  'user.updated': UserUpdatedV1;
  'user.disabled': UserDisabledV1;
  'user.enabled': UserEnabledV1;
  'user.deleted': UserDeletedV1;
  'user.profile_updated': UserProfileUpdatedV1;
  'invoice.paid': InvoicePaidV1;
}

/** The payload schema for a type and version, or undefined when this catalog does not know it. */
export function eventDataSchema(type: string, version: number): z.ZodType | undefined {
  const versions = (eventCatalog as Record<string, Record<number, z.ZodType> | undefined>)[type];
  return versions?.[version];
}

/**
 * Checks an envelope's `data` against the catalog and returns the envelope typed accordingly.
 * Throws for an unknown type or version: a consumer cannot safely act on a shape it has never seen.
 */
export function parseEventData<K extends EventType>(
  envelope: EventEnvelope,
  type: K,
): EventEnvelope<EventDataV1[K]> {
  if (envelope.type !== type) {
    throw new Error(`expected an event of type ${type}, got ${envelope.type}`);
  }
  const schema = eventDataSchema(envelope.type, envelope.version);
  if (!schema) throw new Error(`unknown version ${envelope.version} of event ${envelope.type}`);
  return { ...envelope, data: schema.parse(envelope.data) as EventDataV1[K] };
}

/**
 * Reads a user-lifecycle event whose type is a key of `handled` (a consumer's table of what each
 * type means to it), checked against the catalog; any other type throws, naming it.
 */
export function parseUserEvent<K extends EventType>(
  envelope: EventEnvelope,
  handled: Readonly<Partial<Record<K, unknown>>>,
): { type: K; data: UserEventDataV1 } {
  if (!Object.hasOwn(handled, envelope.type)) {
    throw new Error(`${envelope.type} is not one of ${Object.keys(handled).join(', ')}`);
  }
  const type = envelope.type as K;
  return { type, data: parseEventData(envelope, type).data as UserEventDataV1 };
}
