import type { DataSource, EntityManager } from 'typeorm';
import type { EventEnvelope } from '@platform/contracts';
import { enqueueEvent } from '../messaging/enqueue-event.js';

/**
 * One open database transaction as a use case holds it: whatever the repositories write with it,
 * and the events enqueued on it, commit or roll back together. It shows the use case no ORM type;
 * the data layer reaches the transaction's EntityManager through entityManagerOf.
 */
export interface Transaction {
  /** Adds the event to the outbox in this transaction: it is published if and only if this commits. */
  enqueue(event: EventEnvelope): Promise<void>;
  /**
   * Runs `callback` right after this transaction commits, never when it rolls back: for what may
   * only follow a durable change, such as telling caches to drop what they hold. It must not throw.
   */
  afterCommit(callback: () => void): void;
}

/** Where use cases open transactions; every service gets one in its context (`context.unitOfWork`). */
export interface UnitOfWork {
  /** Runs `work` in a new transaction: commits when it resolves, rolls back when it throws. */
  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}

class TypeOrmTransaction implements Transaction {
  readonly committed: (() => void)[] = [];

  constructor(readonly manager: EntityManager) {}

  enqueue(event: EventEnvelope): Promise<void> {
    return enqueueEvent(this.manager, event);
  }

  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }
}

export function createUnitOfWork(dataSource: DataSource): UnitOfWork {
  return {
    run: async (work) => {
      let tx: TypeOrmTransaction | undefined;
      const result = await dataSource.transaction((manager) => {
        tx = new TypeOrmTransaction(manager);
        return work(tx);
      });
      for (const callback of tx?.committed ?? []) callback();
      return result;
    },
  };
}

/** For repositories: the EntityManager that writes and reads inside `tx`. */
export function entityManagerOf(tx: Transaction): EntityManager {
  if (!(tx instanceof TypeOrmTransaction)) throw new Error('not a transaction of a kit UnitOfWork');
  return tx.manager;
}
