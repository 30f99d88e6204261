import type { Transaction } from '@platform/kit';

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
export interface IdempotencyStore {
  /**
   * A concurrent request with the same key blocks until the first one commits (and then sees its
   * response) or rolls back (and then takes the key itself).
   */
  reserve(tx: Transaction, caller: string, key: string, requestFingerprint: string): Promise<Reservation>;
  complete(tx: Transaction, caller: string, key: string, status: number, body: object): Promise<void>;
}
