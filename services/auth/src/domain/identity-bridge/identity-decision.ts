import { EventTypes, userEventDataV1Schema, type UserEventDataV1 } from '@platform/contracts';
import type { IdentityObservation } from './identity-observation.js';
import { profileFields, type IdentitySnapshot } from './identity-snapshot.js';

/** The lifecycle events the bridge can announce. */
export type BridgedEventType =
  | typeof EventTypes.userRegistered
  | typeof EventTypes.userUpdated
  | typeof EventTypes.userDisabled
  | typeof EventTypes.userEnabled
  | typeof EventTypes.userDeleted;

export interface BridgedEvent {
  readonly type: BridgedEventType;
  readonly data: UserEventDataV1;
}

/** What an observation means for the platform: the events to announce and the snapshot to keep. */
export interface IdentityDecision {
  readonly events: readonly BridgedEvent[];
  /** The new snapshot; undefined when it stays as it is. */
  readonly after: IdentitySnapshot | undefined;
}

const nothing: IdentityDecision = { events: [], after: undefined };

/**
 * Judges an observation against the snapshot the bridge kept:
 * - a new person is `user.registered` (and `user.disabled` when they start disabled);
 * - a flipped `enabled` is `user.disabled`/`user.enabled` (its payload carries the new profile too),
 *   otherwise a changed profile field is `user.updated`, and a change of nothing bridged is silent;
 * - a deletion is `user.deleted`; a change of roles or groups is `user.updated`, as the profile
 *   the other services derive from a person may depend on them;
 * - anything about a deleted person is ignored (ids are never reused; a late event must not revive them).
 * With `announce` off (a change the platform made itself and already announced) the snapshot
 * follows all the same, so a later change is compared against the right state.
 */
export function decideIdentityChange(
  observation: IdentityObservation,
  before: IdentitySnapshot | undefined,
  announce: boolean,
): IdentityDecision {
  const decision = decide(observation, before);
  return announce ? decision : { ...decision, events: [] };
}

function decide(observation: IdentityObservation, before: IdentitySnapshot | undefined): IdentityDecision {
  if (before?.deleted) return nothing;
  switch (observation.kind) {
    case 'created':
      return before === undefined
        ? appeared({ ...observation.state, deleted: false })
        : changed(before, observation.state);
    case 'changed':
      return before === undefined
        ? // A person the bridge never saw (their creation predates it): announce them as new.
          appeared({ ...emptySnapshot(observation.userId), ...observation.changes, deleted: false })
        : changed(before, observation.changes);
    case 'deleted': {
      const after = { ...(before ?? emptySnapshot(observation.userId)), deleted: true };
      return { events: [event(EventTypes.userDeleted, after)], after };
    }
    case 'access_changed':
      // Unknown person: their creation (or the reconciliation) announces them with their roles.
      return before === undefined
        ? nothing
        : { events: [event(EventTypes.userUpdated, before)], after: undefined };
  }
}

function appeared(after: IdentitySnapshot): IdentityDecision {
  const events = [event(EventTypes.userRegistered, after)];
  if (!after.enabled) events.push(event(EventTypes.userDisabled, after));
  return { events, after };
}

function changed(before: IdentitySnapshot, changes: Partial<IdentitySnapshot>): IdentityDecision {
  const after: IdentitySnapshot = { ...before, ...changes, userId: before.userId, deleted: false };
  if (after.enabled !== before.enabled) {
    return {
      events: [event(after.enabled ? EventTypes.userEnabled : EventTypes.userDisabled, after)],
      after,
    };
  }
  const profileChanged = profileFields.some((field) => after[field] !== before[field]);
  return { events: profileChanged ? [event(EventTypes.userUpdated, after)] : [], after };
}

function emptySnapshot(userId: string): IdentitySnapshot {
  return {
    userId,
    username: undefined,
    email: undefined,
    firstName: undefined,
    lastName: undefined,
    enabled: true,
    deleted: false,
  };
}

function event(type: BridgedEventType, person: IdentitySnapshot): BridgedEvent {
  return { type, data: userEventDataOf(person) };
}

/**
 * The v1 payload: what the bridge knows. A field the contract would refuse (an address Keycloak
 * accepted but the contract's e-mail check does not) is left out rather than stalling the bridge.
 */
export function userEventDataOf(person: IdentitySnapshot): UserEventDataV1 {
  const data: Record<string, string> = { userId: person.userId };
  for (const field of profileFields) {
    const value = person[field];
    if (value !== undefined && userEventDataV1Schema.shape[field].safeParse(value).success)
      data[field] = value;
  }
  return data as UserEventDataV1;
}
