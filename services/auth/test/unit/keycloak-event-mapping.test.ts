import { describe, expect, it } from 'vitest';
import { decideIdentityChange } from '../../src/domain/identity-bridge/identity-decision.js';
import {
  observeAdminEvent,
  observeUserEvent,
} from '../../src/domain/identity-bridge/identity-observation.js';
import type { IdentitySnapshot } from '../../src/domain/identity-bridge/identity-snapshot.js';
import type {
  KeycloakAdminEvent,
  KeycloakUserEvent,
} from '../../src/domain/identity-bridge/keycloak-events.js';

const userId = '0b0f3c1e-5a7d-4c8e-9f00-1234567890ab';

const alice: IdentitySnapshot = {
  userId,
  username: 'alice',
  email: 'alice@example.test',
  firstName: 'Alice',
  lastName: 'Liddell',
  enabled: true,
  deleted: false,
};

function adminEvent(
  operationType: string,
  resourceType: string,
  path: string,
  body?: object,
): KeycloakAdminEvent {
  return {
    id: 'event-1',
    time: 1_800_000_000_000,
    operationType,
    resourceType,
    resourcePath: path,
    ...(body === undefined ? {} : { representation: JSON.stringify(body) }),
    authDetails: { realmId: 'master', userId: 'console-admin' },
  };
}

function userEvent(type: string, details?: Record<string, string>): KeycloakUserEvent {
  return { id: 'event-2', time: 1_800_000_000_000, type, userId, clientId: 'account-console', details };
}

/** The platform events an admin event becomes, given the snapshot before it. */
function bridged(event: KeycloakAdminEvent, before: IdentitySnapshot | undefined, announce = true) {
  const observation = observeAdminEvent(event);
  if (!observation) return { types: [], after: undefined };
  const decision = decideIdentityChange(observation, before, announce);
  return { types: decision.events.map((e) => e.type), events: decision.events, after: decision.after };
}

describe('Keycloak admin events → platform events', () => {
  it('when a user is created enabled, then user.registered with the profile', () => {
    const result = bridged(
      adminEvent('CREATE', 'USER', `users/${userId}`, {
        username: 'Alice',
        email: 'Alice@Example.test',
        firstName: 'Alice',
        lastName: 'Liddell',
        enabled: true,
      }),
      undefined,
    );
    expect(result.types).toEqual(['user.registered']);
    expect(result.events?.[0]?.data).toEqual({
      userId,
      username: 'alice',
      email: 'alice@example.test',
      firstName: 'Alice',
      lastName: 'Liddell',
    });
    expect(result.after).toMatchObject({ enabled: true, deleted: false });
  });

  it('when a user is created without `enabled`, then registered and disabled (Keycloak creates it disabled)', () => {
    expect(
      bridged(adminEvent('CREATE', 'USER', `users/${userId}`, { username: 'bob' }), undefined).types,
    ).toEqual(['user.registered', 'user.disabled']);
  });

  it('when a known user is created again (a re-read event), then nothing', () => {
    const again = adminEvent('CREATE', 'USER', `users/${userId}`, { ...alice, enabled: true });
    expect(bridged(again, alice).types).toEqual([]);
  });

  it('when `enabled` flips, then user.disabled / user.enabled, even if the profile changed too', () => {
    const disable = adminEvent('UPDATE', 'USER', `users/${userId}`, { enabled: false, firstName: 'Al' });
    const disabled = bridged(disable, alice);
    expect(disabled.types).toEqual(['user.disabled']);
    expect(disabled.events?.[0]?.data.firstName).toBe('Al');
    expect(
      bridged(adminEvent('UPDATE', 'USER', `users/${userId}`, { enabled: true }), {
        ...alice,
        enabled: false,
      }).types,
    ).toEqual(['user.enabled']);
  });

  it('when a profile field changes, then user.updated; when only other fields change, then nothing', () => {
    expect(
      bridged(adminEvent('UPDATE', 'USER', `users/${userId}`, { ...alice, firstName: 'Alicia' }), alice)
        .types,
    ).toEqual(['user.updated']);
    expect(
      bridged(adminEvent('UPDATE', 'USER', `users/${userId}`, { emailVerified: true, attributes: {} }), alice)
        .types,
    ).toEqual([]);
  });

  it('when an update sends only some fields, then the others keep their value', () => {
    const result = bridged(adminEvent('UPDATE', 'USER', `users/${userId}`, { enabled: false }), alice);
    expect(result.after).toEqual({ ...alice, enabled: false });
  });

  it('when a user is deleted, then user.deleted with what was known, and a tombstone', () => {
    const result = bridged(adminEvent('DELETE', 'USER', `users/${userId}`), alice);
    expect(result.types).toEqual(['user.deleted']);
    expect(result.events?.[0]?.data).toMatchObject({ userId, username: 'alice' });
    expect(result.after).toEqual({ ...alice, deleted: true });
  });

  it('when anything arrives about a deleted user, then nothing (a late event does not revive them)', () => {
    const tombstone = { ...alice, deleted: true };
    expect(
      bridged(adminEvent('CREATE', 'USER', `users/${userId}`, { ...alice, enabled: true }), tombstone).types,
    ).toEqual([]);
    expect(
      bridged(adminEvent('UPDATE', 'USER', `users/${userId}`, { firstName: 'X' }), tombstone).types,
    ).toEqual([]);
    expect(bridged(adminEvent('DELETE', 'USER', `users/${userId}`), tombstone).types).toEqual([]);
  });

  it('when realm or client roles or groups of a user change, then user.updated', () => {
    const paths = [
      ['REALM_ROLE_MAPPING', `users/${userId}/role-mappings/realm`],
      ['CLIENT_ROLE_MAPPING', `users/${userId}/role-mappings/clients/6f1c2d3e-aaaa-bbbb-cccc-000000000000`],
      ['GROUP_MEMBERSHIP', `users/${userId}/groups/7a2b3c4d-aaaa-bbbb-cccc-000000000000`],
    ] as const;
    for (const [type, path] of paths) {
      expect(bridged(adminEvent('CREATE', type, path, [{ name: 'support' }]), alice).types).toEqual([
        'user.updated',
      ]);
    }
  });

  it('when roles of a group (not a user) change, or a user action is not a change, then nothing', () => {
    expect(
      observeAdminEvent(adminEvent('CREATE', 'REALM_ROLE_MAPPING', 'groups/g1/role-mappings/realm')),
    ).toBeUndefined();
    expect(observeAdminEvent(adminEvent('ACTION', 'USER', `users/${userId}/reset-password`))).toBeUndefined();
    expect(observeAdminEvent(adminEvent('ACTION', 'USER', `users/${userId}/logout`))).toBeUndefined();
  });

  it('when the event records a failure, then nothing', () => {
    expect(
      observeAdminEvent({
        ...adminEvent('CREATE', 'USER', `users/${userId}`, alice),
        error: 'unknown_error',
      }),
    ).toBeUndefined();
  });

  it('when the platform made the change itself, then no event, but the snapshot follows', () => {
    const result = bridged(adminEvent('UPDATE', 'USER', `users/${userId}`, { enabled: false }), alice, false);
    expect(result.types).toEqual([]);
    expect(result.after).toEqual({ ...alice, enabled: false });
  });

  it('when a user the bridge never saw is updated, then user.registered (and disabled when disabled)', () => {
    expect(
      bridged(
        adminEvent('UPDATE', 'USER', `users/${userId}`, { username: 'carol', enabled: false }),
        undefined,
      ).types,
    ).toEqual(['user.registered', 'user.disabled']);
  });

  it('when an e-mail the contract refuses is stored, then the payload leaves it out', () => {
    const result = bridged(
      adminEvent('CREATE', 'USER', `users/${userId}`, {
        username: 'dave',
        email: 'not-an-address',
        enabled: true,
      }),
      undefined,
    );
    expect(result.events?.[0]?.data).toEqual({ userId, username: 'dave' });
  });
});

describe('Keycloak user events → platform events', () => {
  const current = { ...alice, firstName: 'Alicia' };
  const { deleted: _deleted, ...currentState } = current;

  it('when a person registers, then user.registered with their current state', () => {
    const observation = observeUserEvent(userEvent('REGISTER', { username: 'alice' }), currentState);
    expect(decideIdentityChange(observation!, undefined, true).events.map((e) => e.type)).toEqual([
      'user.registered',
    ]);
  });

  it('when a person updates their profile or e-mail, then user.updated', () => {
    for (const type of ['UPDATE_PROFILE', 'UPDATE_EMAIL']) {
      const observation = observeUserEvent(userEvent(type), currentState);
      expect(decideIdentityChange(observation!, alice, true).events.map((e) => e.type)).toEqual([
        'user.updated',
      ]);
    }
  });

  it('when a person deletes their account, then user.deleted', () => {
    const observation = observeUserEvent(userEvent('DELETE_ACCOUNT'), undefined);
    expect(decideIdentityChange(observation!, alice, true).events.map((e) => e.type)).toEqual([
      'user.deleted',
    ]);
  });

  it('when a profile update is read after the person is gone, then nothing (their deletion follows)', () => {
    expect(observeUserEvent(userEvent('UPDATE_PROFILE'), undefined)).toBeUndefined();
  });

  it('when a failed or unrelated user event is read, then nothing', () => {
    expect(
      observeUserEvent({ ...userEvent('REGISTER'), error: 'invalid_registration' }, currentState),
    ).toBeUndefined();
    expect(observeUserEvent(userEvent('LOGIN_ERROR'), currentState)).toBeUndefined();
  });
});
