import type { DataSource, EntityManager } from 'typeorm';
import { IdempotencyRecord } from './idempotency-record-entity.js';

export type Reservation =
  | { readonly kind: 'reserved' }
  | {
      readonly kind: 'seen';
      readonly requestFingerprint: string;
      readonly status: number;
      readonly body: unknown;
    };

/**
 * Stored responses by (caller, Idempotency-Key). A key is reserved inside the transaction that
 * does the work and completed with the response before it commits, so a response exists for a
 * key exactly when its work committed; if the work fails, the reservation rolls back with it.
 */
export class IdempotencyStore {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * A concurrent request with the same key blocks on the primary key until the first one commits
   * (and then sees its response) or rolls back (and then takes the key itself).
   */
  async reserve(
    manager: EntityManager,
    caller: string,
    key: string,
    requestFingerprint: string,
  ): Promise<Reservation> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO idempotency_records (caller, idempotency_key, request_fingerprint)
       VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING caller`,
      [caller, key, requestFingerprint],
    );
    if (inserted.length > 0) return { kind: 'reserved' };
    const record = await manager
      .getRepository(IdempotencyRecord)
      .findOneByOrFail({ caller, idempotencyKey: key });
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

  async complete(manager: EntityManager, caller: string, key: string, status: number, body: object) {
    await manager
      .getRepository(IdempotencyRecord)
      .update({ caller, idempotencyKey: key }, { responseStatus: status, responseBody: body });
  }
}
