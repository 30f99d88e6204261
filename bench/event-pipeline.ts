/**
 * The event pipeline, measured from the databases: lifecycle events committed straight into the
 * auth service's outbox, published by its relay, applied by the user and billing services.
 *
 * - A burst: `burst` `user.registered` events committed in one transaction; the figures are the
 *   publish rate, each consumer's rate and the end-to-end rate (commit → applied by both), with
 *   every event counted where it lands (processed_messages and the rows it creates), so a lost or
 *   doubled event shows as a count that is not `burst`.
 * - A steady stream: one event per transaction at `steadyRate`/s; the figures are the latencies
 *   from commit to applied (p50, p99) for each consumer.
 *
 * The synthetic users are removed from the user and billing databases afterwards; their outbox and
 * processed_messages rows stay for the retention job, like any other.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { EventTypes } from '@platform/contracts';
import { createEvent } from '@platform/kit';
import { serviceDatabase } from '@platform/test-support/postgres';

/** The consumers that apply `user.registered`, by the database they record it in. */
const consumers = {
  user: 'user-service.identity-events',
  billing: 'billing-service.user-lifecycle',
} as const;
type ConsumerService = keyof typeof consumers;

export interface BurstFigures {
  events: number;
  publishedPerSecond: number;
  appliedPerSecond: Record<ConsumerService, number>;
  endToEndPerSecond: number;
  lost: number;
  appliedTwice: number;
}

export interface SteadyFigures {
  events: number;
  rate: number;
  latencyMs: Record<ConsumerService, { p50: number; p99: number }>;
  lost: number;
}

interface Databases {
  auth: pg.Pool;
  user: pg.Pool;
  billing: pg.Pool;
}

function registration(userId: string) {
  return createEvent({
    type: EventTypes.userRegistered,
    version: 1,
    subject: userId,
    data: { userId, username: `bench-${userId}`, email: `bench-${userId}@bench.invalid` },
  });
}

/**
 * Inserts the envelopes with one multi-row statement per 1,000 (PostgreSQL's parameter limit);
 * returns their ids (the outbox rows' and the messages' ids).
 */
async function insertOutboxRows(client: pg.Pool | pg.PoolClient, userIds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < userIds.length; start += 1000) {
    const envelopes = userIds.slice(start, start + 1000).map(registration);
    const values = envelopes.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ');
    await client.query(
      `INSERT INTO outbox_events (id, type, payload) VALUES ${values}`,
      envelopes.flatMap((envelope) => [envelope.id, envelope.type, JSON.stringify(envelope)]),
    );
    ids.push(...envelopes.map((envelope) => envelope.id));
  }
  return ids;
}

/** The database server's clock (the consumers stamp processed_at with theirs: one server here). */
async function databaseNow(db: pg.Pool): Promise<Date> {
  const { rows } = await db.query<{ now: Date }>('SELECT now() AS now');
  return rows[0]!.now;
}

async function countApplied(db: pg.Pool, consumer: string, messageIds: string[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM processed_messages WHERE consumer = $1 AND message_id = ANY($2::uuid[])',
    [consumer, messageIds],
  );
  return Number(rows[0]!.n);
}

/** Epoch milliseconds of an aggregate timestamp; NaN when there is none. */
async function epochMs(db: pg.Pool, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ ms: string | null }>(sql, params);
  // No row matched (nothing published or applied yet): no time, not the epoch.
  return rows[0]!.ms === null ? NaN : Number(rows[0]!.ms);
}

/**
 * Messages the consumer recorded since `since` (an index range on processed_at): a cheap upper
 * bound to wait on, so that the bench's own polling does not load the databases it measures.
 */
async function appliedSince(db: pg.Pool, consumer: string, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM processed_messages WHERE consumer = $1 AND processed_at >= $2',
    [consumer, since],
  );
  return Number(rows[0]!.n);
}

/**
 * Waits until both consumers applied every message, or `timeoutMs` passed; returns the exact
 * counts. Polls the cheap count, and counts the messages themselves only once it says they may
 * all be there.
 */
async function waitForApplied(
  dbs: Databases,
  messageIds: string[],
  since: Date,
  timeoutMs: number,
): Promise<Record<ConsumerService, number>> {
  const deadline = Date.now() + timeoutMs;
  const exact = async () => ({
    user: await countApplied(dbs.user, consumers.user, messageIds),
    billing: await countApplied(dbs.billing, consumers.billing, messageIds),
  });
  for (;;) {
    const mayBeDone =
      (await appliedSince(dbs.user, consumers.user, since)) >= messageIds.length &&
      (await appliedSince(dbs.billing, consumers.billing, since)) >= messageIds.length;
    if (mayBeDone || Date.now() > deadline) {
      const applied = await exact();
      const done = applied.user === messageIds.length && applied.billing === messageIds.length;
      if (done || Date.now() > deadline) return applied;
    }
    await sleep(250);
  }
}

/** Rows the events created: one user row and one billing account per event, never two. */
async function countRows(dbs: Databases, userIds: string[]): Promise<{ users: number; accounts: number }> {
  const users = await dbs.user.query<{ n: string }>(
    'SELECT count(*) AS n FROM users WHERE subject = ANY($1)',
    [userIds],
  );
  const accounts = await dbs.billing.query<{ n: string }>(
    'SELECT count(*) AS n FROM accounts WHERE user_id = ANY($1)',
    [userIds],
  );
  return { users: Number(users.rows[0]!.n), accounts: Number(accounts.rows[0]!.n) };
}

async function removeSyntheticUsers(dbs: Databases, userIds: string[]): Promise<void> {
  await dbs.user.query('DELETE FROM users WHERE subject = ANY($1)', [userIds]);
  await dbs.billing.query('DELETE FROM accounts WHERE user_id = ANY($1)', [userIds]);
}

async function burst(dbs: Databases, events: number, timeoutMs: number): Promise<BurstFigures> {
  const userIds = Array.from({ length: events }, () => randomUUID());
  const since = await databaseNow(dbs.auth);
  const client = await dbs.auth.connect();
  let committedAt: number;
  let messageIds: string[];
  try {
    await client.query('BEGIN');
    messageIds = await insertOutboxRows(client, userIds);
    await client.query('COMMIT');
    // The database and this process share the machine's clock.
    committedAt = Date.now();
  } finally {
    client.release();
  }
  const applied = await waitForApplied(dbs, messageIds, since, timeoutMs);
  const lastPublished = await epochMs(
    dbs.auth,
    'SELECT extract(epoch FROM max(published_at)) * 1000 AS ms FROM outbox_events WHERE id = ANY($1::uuid[])',
    [messageIds],
  );
  const lastApplied = async (service: ConsumerService) =>
    epochMs(
      dbs[service],
      `SELECT extract(epoch FROM max(processed_at)) * 1000 AS ms FROM processed_messages
        WHERE consumer = $1 AND message_id = ANY($2::uuid[])`,
      [consumers[service], messageIds],
    );
  const userDone = await lastApplied('user');
  const billingDone = await lastApplied('billing');
  const rows = await countRows(dbs, userIds);
  await removeSyntheticUsers(dbs, userIds);
  const rate = (until: number) => events / Math.max((until - committedAt) / 1000, 0.001);
  return {
    events,
    publishedPerSecond: rate(lastPublished),
    appliedPerSecond: { user: rate(userDone), billing: rate(billingDone) },
    endToEndPerSecond: rate(Math.max(userDone, billingDone)),
    lost: events * 2 - applied.user - applied.billing,
    appliedTwice: Math.max(rows.users - events, 0) + Math.max(rows.accounts - events, 0),
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function steady(
  dbs: Databases,
  rate: number,
  seconds: number,
  timeoutMs: number,
): Promise<SteadyFigures> {
  const events = rate * seconds;
  const userIds = Array.from({ length: events }, () => randomUUID());
  const since = await databaseNow(dbs.auth);
  const messageIds: string[] = [];
  const started = performance.now();
  // One transaction per event, each at its scheduled time, as requests would commit them.
  for (let i = 0; i < events; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    messageIds.push(...(await insertOutboxRows(dbs.auth, [userIds[i]!])));
  }
  const applied = await waitForApplied(dbs, messageIds, since, timeoutMs);
  const latencies = async (service: ConsumerService) => {
    const created = await dbs.auth.query<{ id: string; ms: string }>(
      'SELECT id, extract(epoch FROM created_at) * 1000 AS ms FROM outbox_events WHERE id = ANY($1::uuid[])',
      [messageIds],
    );
    const processed = await dbs[service].query<{ id: string; ms: string }>(
      `SELECT message_id AS id, extract(epoch FROM processed_at) * 1000 AS ms FROM processed_messages
        WHERE consumer = $1 AND message_id = ANY($2::uuid[])`,
      [consumers[service], messageIds],
    );
    const committed = new Map(created.rows.map((row) => [row.id, Number(row.ms)]));
    const sorted = processed.rows
      .map((row) => Number(row.ms) - (committed.get(row.id) ?? NaN))
      .sort((a, b) => a - b);
    return { p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)) };
  };
  const latencyMs = { user: await latencies('user'), billing: await latencies('billing') };
  await removeSyntheticUsers(dbs, userIds);
  return { events, rate, latencyMs, lost: events * 2 - applied.user - applied.billing };
}

export async function measureEventPipeline(options: {
  burst: number;
  steadyRate: number;
  steadySeconds: number;
}): Promise<{ burst: BurstFigures; steady: SteadyFigures }> {
  const dbs: Databases = {
    auth: serviceDatabase('auth'),
    user: serviceDatabase('user'),
    billing: serviceDatabase('billing'),
  };
  try {
    // Generous: at the old rate (≈ 80/s) a 10,000-event burst takes two minutes.
    const timeoutMs = Math.max(60_000, options.burst * 20);
    return {
      burst: await burst(dbs, options.burst, timeoutMs),
      steady: await steady(dbs, options.steadyRate, options.steadySeconds, timeoutMs),
    };
  } finally {
    await Promise.all(Object.values(dbs).map((db) => db.end()));
  }
}
