import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EventTypes, parseUserEvent, type EventEnvelope } from '../../src/index.js';

const handled = { [EventTypes.userRegistered]: 'open', [EventTypes.userDeleted]: 'close' } as const;

function event(type: string, data: unknown): EventEnvelope {
  const userId = randomUUID();
  return {
    id: randomUUID(),
    type,
    version: 1,
    subject: userId,
    occurredAt: new Date().toISOString(),
    data: data ?? { userId, username: 'ada', email: 'ada@example.test' },
  } as EventEnvelope;
}

describe('reading a user-lifecycle event for a consumer', () => {
  it('when the type is one the consumer handles, then its type and checked data come back', () => {
    const envelope = event(EventTypes.userDeleted, undefined);

    const { type, data } = parseUserEvent(envelope, handled);

    expect(type).toBe(EventTypes.userDeleted);
    expect(handled[type]).toBe('close');
    expect(data.userId).toBe(envelope.subject);
  });

  it('when the type is not one it handles, then the error names the type and what it handles', () => {
    expect(() => parseUserEvent(event(EventTypes.userEnabled, undefined), handled)).toThrow(
      'user.enabled is not one of user.registered, user.deleted',
    );
  });

  it('when the data breaks the catalog, then it throws instead of answering', () => {
    expect(() => parseUserEvent(event(EventTypes.userRegistered, { userId: 42 }), handled)).toThrow();
  });
});
