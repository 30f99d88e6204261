import { context, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import type { EventEnvelope } from '@platform/contracts';
import { entityManagerOf, type Transaction, type UnitOfWork } from '../db/unit-of-work.js';

/** Applies one event; see EventHandler in event-consumer.ts. */
type Handler = (envelope: EventEnvelope, tx: Transaction) => Promise<void>;

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
 * `consumerName`, then the handler runs for each event not processed before, in delivery order,
 * each in its own message's trace. Resolves, per entry, whether it was applied now (false: applied
 * before, or a second copy within the batch). Rejects with BatchHandlerFailure when a handler
 * throws, with the database's error otherwise; either way the whole batch rolled back.
 */
export function applyBatch(
  unitOfWork: UnitOfWork,
  consumerName: string,
  handler: Handler,
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
      const applied: boolean[] = [];
      for (const [index, { envelope, delivered }] of entries.entries()) {
        // Removed on first sight, so a second copy in the same batch counts as a duplicate.
        const isNew = fresh.delete(envelope.id.toLowerCase());
        applied.push(isNew);
        if (!isNew) continue;
        try {
          await context.with(handlerContext(envelope, delivered), () => handler(envelope, tx));
        } catch (error) {
          // Refused because an earlier handler swallowed a database error: not this message's fault.
          if (inAbortedTransaction(error) && entries.length > 1) throw error;
          throw new BatchHandlerFailure(index, error);
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
