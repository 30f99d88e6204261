export {
  eventEnvelopeSchema,
  parseEventEnvelope,
  traceContextSchema,
  type EventEnvelope,
  type TraceContext,
} from './envelope.js';
export { EventTypes, eventTypes, isEventType, type EventType } from './event-types.js';
export {
  eventCatalog,
  eventDataSchema,
  parseEventData,
  parseUserEvent,
  type EventDataV1,
} from './event-catalog.js';
export { invoicePaidV1Schema, type InvoicePaidV1 } from './invoice-events.js';
export {
  userDeletedV1Schema,
  userDisabledV1Schema,
  userEnabledV1Schema,
  userEventDataV1Schema,
  userProfileUpdatedV1Schema,
  userRegisteredV1Schema,
  userUpdatedV1Schema,
  type UserDeletedV1,
  type UserDisabledV1,
  type UserEnabledV1,
  type UserEventDataV1,
  type UserProfileUpdatedV1,
  type UserRegisteredV1,
  type UserUpdatedV1,
} from './user-events.js';
