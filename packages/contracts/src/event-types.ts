/** Event names double as AMQP routing keys, so they use dots and stay stable once published. */
export const EventTypes = {
  userRegistered: 'user.registered',
  userUpdated: 'user.updated',
  userDisabled: 'user.disabled',
  userEnabled: 'user.enabled',
  userDeleted: 'user.deleted',
  userProfileUpdated: 'user.profile_updated',
  invoicePaid: 'invoice.paid',
} as const;

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

export const eventTypes: readonly EventType[] = Object.values(EventTypes);

export function isEventType(value: string): value is EventType {
  return (eventTypes as readonly string[]).includes(value);
}
