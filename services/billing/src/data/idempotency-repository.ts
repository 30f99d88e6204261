import { entityManagerOf, type Transaction } from '@platform/kit';
import type { IdempotencyStore, Reservation } from '../domain/idempotency-store.js';
import { IdempotencyRecord } from './idempotency-record-entity.js';

export class IdempotencyRepository implements IdempotencyStore {
  /** The primary key (caller, key) is what makes a concurrent request with the same key wait. */
  async reserve(
    tx: Transaction,
    caller: string,
    key: string,
    requestFingerprint: string,
  ): Promise<Reservation> {
    const manager = entityManagerOf(tx);
    // Twice at most: the record that blocked the insert may be pruned (past its retention window)
    // before it is read, and then the key is free again.
    for (let attempt = 1; ; attempt += 1) {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO idempotency_records (caller, idempotency_key, request_fingerprint)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING caller`,
        [caller, key, requestFingerprint],
      );
      if (inserted.length > 0) return { kind: 'reserved' };
      const record = await manager
        .getRepository(IdempotencyRecord)
        .findOneBy({ caller, idempotencyKey: key });
      if (!record && attempt < 2) continue;
      if (!record) throw new Error(`idempotency record ${caller}/${key} neither insertable nor readable`);
      if (record.responseStatus === null) {
        throw new Error(`idempotency record ${caller}/${key} committed without a response`);
      }
      return {
        kind: 'seen',
        requestFingerprint: record.requestFingerprint,
        status: record.responseStatus,
        body: record.responseBody,
      };
    }
  }

  async complete(tx: Transaction, caller: string, key: string, status: number, body: object): Promise<void> {
    await entityManagerOf(tx)
      .getRepository(IdempotencyRecord)
      .update({ caller, idempotencyKey: key }, { responseStatus: status, responseBody: body });
  }
}
