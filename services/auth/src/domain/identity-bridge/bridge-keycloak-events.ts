import { createEvent, type Transaction, type UnitOfWork } from '@platform/kit';
import { decideIdentityChange, type BridgedEvent, type BridgedEventType } from './identity-decision.js';
import {
  needsCurrentState,
  observeAdminEvent,
  observeUserEvent,
  type IdentityObservation,
} from './identity-observation.js';
import type { IdentityBridgeState, KeycloakEventLog } from './identity-bridge-ports.js';
import type { IdentitySnapshot } from './identity-snapshot.js';
import type { KeycloakEvent } from './keycloak-events.js';

export interface BridgeDependencies {
  readonly log: KeycloakEventLog;
  readonly state: IdentityBridgeState;
  readonly unitOfWork: UnitOfWork;
}

export interface BridgeSettings {
  /** Service-account user ids of the platform's own clients: their changes are already announced. */
  readonly platformActors: ReadonlySet<string>;
  /** The same clients by clientId, as user events name them. */
  readonly platformClients: ReadonlySet<string>;
  /** How long Keycloak keeps events: a cursor older than this may have missed some. */
  readonly retentionMs: number;
  /** Compare the realm's people with the snapshots this cycle (at start, once caught up). */
  readonly reconcile: boolean;
}

export interface CycleResult {
  /** False when another replica held the lock: nothing was read. */
  readonly ran: boolean;
  readonly reconciled: boolean;
  /** What was enqueued, with the Keycloak time of its cause (reconciliation: none). */
  readonly enqueued: readonly { type: BridgedEventType; causedAtMs: number | undefined }[];
}

/**
 * Events are read again from this far before the cursor, because Keycloak stamps an event before
 * its transaction commits: one stamped earlier can become visible after later ones were read.
 * The ids already bridged in that window are skipped.
 */
export const rereadWindowMs = 10_000;
const pageSize = 100;
// A backlog is read in pages; the rest waits for the next cycle so one transaction stays short.
const pagesPerCycle = 10;
// Bridged ids are kept a little longer than the window they are needed for.
const forgetAfterMs = rereadWindowMs + 60_000;

/**
 * One cycle of the Keycloak → platform events bridge, in one transaction: take the advisory lock
 * (or leave it to the replica that holds it), read the cursor, turn the events after it into
 * platform events in the outbox, keep the snapshots, advance the cursor. Because the events and
 * the cursor commit together, each Keycloak event becomes exactly one platform event across
 * restarts and replicas; a failing cycle rolls back and is simply run again.
 *
 * A cursor that is missing (first run) or older than Keycloak's retention, or a `reconcile`
 * request, compares the realm's people with the snapshots once the log is read: people the
 * platform never heard of (the realm's imported users) are announced, as are differences.
 */
export function bridgeKeycloakEvents(
  deps: BridgeDependencies,
  settings: BridgeSettings,
): Promise<CycleResult> {
  return deps.unitOfWork.run(async (tx) => {
    if (!(await deps.state.tryLock(tx))) return { ran: false, reconciled: false, enqueued: [] };
    const enqueued: { type: BridgedEventType; causedAtMs: number | undefined }[] = [];
    const cursor = await deps.state.cursor(tx);
    const drained =
      cursor === undefined
        ? { position: undefined, caughtUp: true }
        : await drain(deps, settings, tx, cursor, enqueued);
    const stale = drained.position === undefined || drained.position < Date.now() - settings.retentionMs;
    let position = drained.position;
    const reconciled = drained.caughtUp && (settings.reconcile || stale);
    if (reconciled) {
      const listedAt = Date.now();
      await reconcile(deps, tx, enqueued);
      // Everything before the listing is now in the snapshots; the window covers clock skew and
      // late commits, and re-reading an event the listing already reflects announces nothing.
      if (stale) position = Math.max(position ?? 0, listedAt - rereadWindowMs);
    }
    if (position !== undefined) {
      await deps.state.saveCursor(tx, position);
      await deps.state.forgetBridgedBefore(tx, position - forgetAfterMs);
    }
    return { ran: true, reconciled, enqueued };
  });
}

async function drain(
  { log, state }: BridgeDependencies,
  settings: BridgeSettings,
  tx: Transaction,
  cursor: number,
  enqueued: { type: BridgedEventType; causedAtMs: number | undefined }[],
): Promise<{ position: number; caughtUp: boolean }> {
  let position = cursor;
  for (let page = 0; page < pagesPerCycle; page += 1) {
    const from = position - rereadWindowMs;
    const [seenAdmin, seenUser] = await Promise.all([
      state.bridgedEventIds(tx, 'admin', from),
      state.bridgedEventIds(tx, 'user', from),
    ]);
    // Asking for the already-bridged ones on top guarantees progress whatever their number.
    const adminMax = pageSize + seenAdmin.size;
    const userMax = pageSize + seenUser.size;
    const [adminEvents, userEvents] = await Promise.all([
      log.adminEvents(from, adminMax),
      log.userEvents(from, userMax),
    ]);
    // A full page may have more at its last time; nothing later than that is taken from the other log.
    const cutoff = Math.min(
      adminEvents.length >= adminMax ? lastTime(adminEvents) : Infinity,
      userEvents.length >= userMax ? lastTime(userEvents) : Infinity,
    );
    const fresh: KeycloakEvent[] = [
      ...adminEvents
        .filter((event) => !seenAdmin.has(event.id))
        .map((event) => ({ ...event, source: 'admin' as const })),
      ...userEvents
        .filter((event) => !seenUser.has(event.id))
        .map((event) => ({ ...event, source: 'user' as const })),
    ]
      .filter((event) => event.time <= cutoff)
      .sort(byTimeThenKind);
    for (const event of fresh) {
      await bridgeOne({ log, state }, settings, tx, event, enqueued);
      position = Math.max(position, event.time);
    }
    if (cutoff === Infinity) return { position, caughtUp: true };
  }
  return { position, caughtUp: false };
}

async function bridgeOne(
  { log, state }: Pick<BridgeDependencies, 'log' | 'state'>,
  settings: BridgeSettings,
  tx: Transaction,
  event: KeycloakEvent,
  enqueued: { type: BridgedEventType; causedAtMs: number | undefined }[],
): Promise<void> {
  let observation: IdentityObservation | undefined;
  let announce: boolean;
  if (event.source === 'admin') {
    observation = observeAdminEvent(event);
    announce = !settings.platformActors.has(event.authDetails?.userId ?? '');
  } else {
    const current = needsCurrentState(event) ? await log.person(event.userId ?? '') : undefined;
    observation = observeUserEvent(event, current);
    announce = !settings.platformClients.has(event.clientId ?? '');
  }
  if (observation !== undefined) {
    const before = (await state.snapshots(tx, [observation.userId])).get(observation.userId);
    await apply(state, tx, decideIdentityChange(observation, before, announce), event.time, enqueued);
  }
  await state.rememberBridged(tx, event.source, [{ id: event.id, time: event.time }]);
}

/** Compares every person of the realm with the snapshots; a snapshot nobody matches was deleted. */
async function reconcile(
  { log, state }: BridgeDependencies,
  tx: Transaction,
  enqueued: { type: BridgedEventType; causedAtMs: number | undefined }[],
): Promise<void> {
  const snapshots = await state.snapshots(tx);
  const listed = new Set<string>();
  for await (const person of log.people()) {
    listed.add(person.userId);
    const observation: IdentityObservation = { kind: 'created', userId: person.userId, state: person };
    await apply(
      state,
      tx,
      decideIdentityChange(observation, snapshots.get(person.userId), true),
      undefined,
      enqueued,
    );
  }
  for (const snapshot of snapshots.values()) {
    if (snapshot.deleted || listed.has(snapshot.userId)) continue;
    // A deletion during the paged listing shifts later people out of it: ask for this one.
    if ((await log.person(snapshot.userId)) !== undefined) continue;
    const observation: IdentityObservation = { kind: 'deleted', userId: snapshot.userId };
    await apply(state, tx, decideIdentityChange(observation, snapshot, true), undefined, enqueued);
  }
}

async function apply(
  state: IdentityBridgeState,
  tx: Transaction,
  decision: { events: readonly BridgedEvent[]; after: IdentitySnapshot | undefined },
  causedAtMs: number | undefined,
  enqueued: { type: BridgedEventType; causedAtMs: number | undefined }[],
): Promise<void> {
  for (const { type, data } of decision.events) {
    const envelope = createEvent({ type, version: 1, subject: data.userId, data });
    // When it happened in Keycloak: consumers order a person's changes by it.
    await tx.enqueue(
      causedAtMs === undefined ? envelope : { ...envelope, occurredAt: new Date(causedAtMs).toISOString() },
    );
    enqueued.push({ type, causedAtMs });
  }
  if (decision.after) await state.saveSnapshot(tx, decision.after);
}

const lastTime = (events: readonly { time: number }[]) => events[events.length - 1]?.time ?? Infinity;

// Events of one millisecond come in no particular order; a creation goes first, a deletion last.
const kindRank = (event: KeycloakEvent): number => {
  const kind = event.source === 'admin' ? event.operationType : event.type;
  if (kind === 'CREATE' || kind === 'REGISTER') return 0;
  if (kind === 'DELETE' || kind === 'DELETE_ACCOUNT') return 2;
  return 1;
};

function byTimeThenKind(a: KeycloakEvent, b: KeycloakEvent): number {
  return a.time - b.time || kindRank(a) - kindRank(b);
}
