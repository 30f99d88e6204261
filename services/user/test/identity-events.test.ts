import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, identityEvent } from '@platform/test-support/broker';
import { eventually } from '@platform/test-support/eventually';
import { serviceDatabase } from '@platform/test-support/postgres';
import { deleteRows, rowOf, type UserRow } from './support/users-database.js';

const consumer = 'user-service.identity-events';

describe('identity events from the auth service', () => {
  let db: pg.Pool;
  let broker: Broker;
  const subjects: string[] = [];

  beforeAll(async () => {
    db = serviceDatabase('user');
    broker = await Broker.connect();
  });

  afterAll(async () => {
    await broker.close();
    await deleteRows(db, subjects);
    await db.end();
  });

  /** A Keycloak id this service has never seen. */
  function unknownSubject(): string {
    const subject = randomUUID();
    subjects.push(subject);
    return subject;
  }

  function rowMatching(subject: string, expected: Partial<UserRow>): Promise<UserRow> {
    return eventually(async () => {
      const row = await rowOf(db, subject);
      return row && Object.entries(expected).every(([key, value]) => row[key as keyof UserRow] === value)
        ? row
        : undefined;
    });
  }

  async function timesProcessed(eventId: string): Promise<number> {
    const { rows } = await db.query(
      'SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2',
      [consumer, eventId],
    );
    return rows.length;
  }

  /** Redeliveries are skipped silently; give them time to arrive and be skipped before asserting. */
  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }

  it('when user.registered arrives for an unknown user, then an active row is created from it', async () => {
    const subject = unknownSubject();

    await broker.publish(
      identityEvent('user.registered', {
        userId: subject,
        username: 'registered-person',
        email: 'registered@example.test',
        firstName: 'Reg',
        lastName: 'Istered',
      }),
    );

    const row = await rowMatching(subject, { status: 'active' });
    expect(row).toMatchObject({ username: 'registered-person', display_name: 'Reg Istered', version: 1 });
    expect(Object.keys(row)).not.toContain('email');
  });

  it('when the same event is delivered twice, then it is applied once', async () => {
    const subject = unknownSubject();
    await broker.publish(identityEvent('user.registered', { userId: subject, username: 'twice' }));
    await rowMatching(subject, { version: 1 });
    const update = identityEvent('user.updated', { userId: subject, username: 'twice-renamed' });

    await broker.publish(update);
    await broker.publish(update);

    await rowMatching(subject, { username: 'twice-renamed' });
    await settle();
    expect(await rowOf(db, subject)).toMatchObject({ username: 'twice-renamed', version: 2 });
    expect(await timesProcessed(update.id)).toBe(1);
  });

  it('when user.disabled, user.enabled and user.deleted arrive in turn, then the row is suspended, re-activated and soft-deleted', async () => {
    const subject = unknownSubject();
    await broker.publish(identityEvent('user.registered', { userId: subject, username: 'lifecycle' }));
    await rowMatching(subject, { status: 'active' });

    await broker.publish(identityEvent('user.disabled', { userId: subject }));
    await rowMatching(subject, { status: 'suspended' });
    await broker.publish(identityEvent('user.enabled', { userId: subject }));
    await rowMatching(subject, { status: 'active' });
    await broker.publish(identityEvent('user.deleted', { userId: subject }));

    const row = await rowMatching(subject, { status: 'deleted' });
    expect(row).toMatchObject({ username: 'lifecycle', version: 4 });
  });

  it('when user.enabled arrives after user.deleted, then the user stays deleted', async () => {
    const subject = unknownSubject();
    await broker.publish(identityEvent('user.deleted', { userId: subject }));
    await rowMatching(subject, { status: 'deleted' });
    const enabled = identityEvent('user.enabled', { userId: subject });

    await broker.publish(enabled);

    await eventually(async () => ((await timesProcessed(enabled.id)) === 1 ? true : undefined));
    expect((await rowOf(db, subject))?.status).toBe('deleted');
  });

  it('when an event older than the last one applied arrives late, then it changes nothing', async () => {
    const subject = unknownSubject();
    const now = Date.now();
    await broker.publish(identityEvent('user.disabled', { userId: subject }, new Date(now)));
    await rowMatching(subject, { status: 'suspended' });
    const late = identityEvent('user.enabled', { userId: subject }, new Date(now - 60_000));

    await broker.publish(late);

    await eventually(async () => ((await timesProcessed(late.id)) === 1 ? true : undefined));
    expect(await rowOf(db, subject)).toMatchObject({ status: 'suspended', version: 1 });
  });

  it.each([
    ['user.disabled', 'suspended'],
    ['user.deleted', 'deleted'],
    ['user.updated', 'active'],
  ])(
    'when %s arrives for a user never seen here, then a row is created with status %s',
    async (type, status) => {
      const subject = unknownSubject();

      await broker.publish(identityEvent(type, { userId: subject, username: `unseen-${type}` }));

      expect(await rowMatching(subject, { status })).toMatchObject({ username: `unseen-${type}` });
    },
  );

  it('when a user already provisioned by a call is registered late, then their own display name is kept', async () => {
    const subject = unknownSubject();
    await broker.publish(
      identityEvent('user.updated', { userId: subject, username: 'chosen', firstName: 'First' }),
    );
    await rowMatching(subject, { display_name: 'First' });
    await db.query(`UPDATE users SET display_name = 'Picked by the user' WHERE subject = $1`, [subject]);

    await broker.publish(
      identityEvent('user.registered', { userId: subject, username: 'chosen', firstName: 'Other' }),
    );

    expect(await rowMatching(subject, { version: 2 })).toMatchObject({ display_name: 'Picked by the user' });
  });
});
