import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
} from '@opentelemetry/api';
import type { EventEnvelope } from '@platform/contracts';
import { entityManagerOf, type Transaction, type UnitOfWork } from '../db/unit-of-work.js';

/** Applies one event; see EventHandler in event-consumer.ts. */
type Handler = (envelope: EventEnvelope, tx: Transaction) => Promise<void>;
/** Applies events about distinct subjects at once; see BatchEventHandler in event-consumer.ts. */
type BatchHandler = (envelopes: readonly EventEnvelope[], tx: Transaction) => Promise<void>;

/** A consumer's handler, and optionally the set-based form of it. */
export interface BatchHandlers {
  readonly handler: Handler;
  readonly batchHandler?: BatchHandler;
}

const tracer = trace.getTracer('@platform/kit');

/** A readable message of a batch: its envelope, and the context it was delivered in. */
export interface BatchEntry {
  readonly envelope: EventEnvelope;
  readonly delivered: Context;
}

/** A failure of the handler itself, as opposed to the database work around it. */
export class HandlerFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** The handler threw for the batch's entry `index`; nothing of the batch was committed. */
export class BatchHandlerFailure extends HandlerFailure {
  constructor(
    readonly index: number,
    cause: unknown,
  ) {
    super(cause);
  }
}

/**
 * Applies a batch in one transaction: one statement records every event as processed by
 * `consumerName`, then the events not processed before are applied in delivery order. Resolves,
 * per entry, whether it was applied now (false: applied before, or a second copy within the
 * batch). Either way a failure rolls the whole batch back.
 *
 * - One event to apply, or no `batchHandler`: `handler` runs for each, in its own message's trace.
 *   A throw rejects with BatchHandlerFailure naming the entry.
 * - Several, with a `batchHandler`: it runs once per round of distinct subjects (subjectRounds), in
 *   one span linked to every message's trace. A throw rejects with the error itself: the caller
 *   then settles the messages one at a time, which finds the one whose handler fails.
 */
export function applyBatch(
  unitOfWork: UnitOfWork,
  consumerName: string,
  { handler, batchHandler }: BatchHandlers,
  entries: readonly BatchEntry[],
): Promise<boolean[]> {
  // BEGIN, the insert and COMMIT belong to no single message: outside every trace (the pg
  // instrumentation then records no span for them), while each handler runs in its message's.
  return context.with(ROOT_CONTEXT, () =>
    unitOfWork.run(async (tx) => {
      // Sorted: replicas inserting overlapping batches lock the keys in one order, so they wait for
      // each other (the second then finds the rows) instead of deadlocking.
      const ids = [...new Set(entries.map(({ envelope }) => envelope.id.toLowerCase()))].sort();
      const inserted: { message_id: string }[] = await entityManagerOf(tx).query(
        `INSERT INTO processed_messages (consumer, message_id, processed_at)
         SELECT $1::text, id, now() FROM unnest($2::uuid[]) AS id
         ON CONFLICT DO NOTHING RETURNING message_id`,
        [consumerName, ids],
      );
      const fresh = new Set(inserted.map((row) => row.message_id));
      // Removed on first sight, so a second copy in the same batch counts as a duplicate.
      const applied = entries.map(({ envelope }) => fresh.delete(envelope.id.toLowerCase()));
      const toApply = entries.filter((_, index) => applied[index]);
      if (batchHandler !== undefined && toApply.length > 1) {
        await applyTogether(consumerName, batchHandler, toApply, tx);
      } else {
        for (const [index, { envelope, delivered }] of entries.entries()) {
          if (!applied[index]) continue;
          try {
            await context.with(handlerContext(envelope, delivered), () => handler(envelope, tx));
          } catch (error) {
            // Refused because an earlier handler swallowed a database error: not this message's fault.
            if (inAbortedTransaction(error) && entries.length > 1) throw error;
            throw new BatchHandlerFailure(index, error);
          }
        }
      }
      // PostgreSQL answers COMMIT in an aborted transaction with a silent ROLLBACK: had a handler
      // swallowed a database error, every message of the batch would be acked as applied. This
      // fails instead, and the batch is settled one message at a time; alone, the message is the
      // one whose handler did it, and that is its handler's failure (retried, then dead-lettered).
      try {
        await entityManagerOf(tx).query('SELECT 1');
      } catch (error) {
        if (inAbortedTransaction(error) && entries.length === 1) throw new BatchHandlerFailure(0, error);
        throw error;
      }
      return applied;
    }),
  );
}

/**
 * Runs the set-based handler over the entries, round by round, in a span of its own: its database
 * work serves every message at once, so it belongs to no one message's trace and links to each.
 */
async function applyTogether(
  consumerName: string,
  batchHandler: BatchHandler,
  entries: readonly BatchEntry[],
  tx: Transaction,
): Promise<void> {
  const links: Link[] = [];
  for (const { envelope, delivered } of entries) {
    const linked = trace.getSpanContext(handlerContext(envelope, delivered));
    if (linked) links.push({ context: linked });
  }
  const options = { links, attributes: { 'messaging.batch.message_count': entries.length } };
  await tracer.startActiveSpan(`${consumerName} apply`, options, ROOT_CONTEXT, async (span) => {
    try {
      for (const round of subjectRounds(entries.map(({ envelope }) => envelope))) {
        await batchHandler(round, tx);
      }
    } catch (error) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Splits events into rounds in which no subject appears twice: round n holds every subject's n-th
 * event, in delivery order. Applying the rounds one after another is applying the events in order,
 * as long as events about different subjects do not touch the same rows.
 */
function subjectRounds(envelopes: readonly EventEnvelope[]): EventEnvelope[][] {
  const rounds: EventEnvelope[][] = [];
  const seen = new Map<string, number>();
  for (const envelope of envelopes) {
    const round = seen.get(envelope.subject) ?? 0;
    seen.set(envelope.subject, round + 1);
    (rounds[round] ??= []).push(envelope);
  }
  return rounds;
}

/** SQLSTATE 25P02: the transaction is aborted; every statement fails until it ends. */
function inAbortedTransaction(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '25P02';
}

/**
 * The handler runs in the producer's trace. When amqplib instrumentation is active it has already
 * started a consume span from the headers, and that span (in `delivered`) is the better parent.
 */
export function handlerContext(envelope: EventEnvelope, delivered: Context): Context {
  if (trace.getSpan(delivered)) return delivered;
  return propagation.extract(delivered, { ...envelope.traceContext });
}
