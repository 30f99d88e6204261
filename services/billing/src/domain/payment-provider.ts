import { randomUUID } from 'node:crypto';

export interface PaymentRequest {
  readonly invoiceId: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** The caller's Idempotency-Key, for providers that deduplicate on their side too. */
  readonly idempotencyKey: string;
  /** What the payer wrote on a bank transfer, when they gave it. */
  readonly reference: string | undefined;
}

export interface PaymentReceipt {
  /** The provider's own id for the payment; the only trace of it billing keeps. */
  readonly providerReference: string;
}

/**
 * Where money is actually taken. A card provider would receive a token from its own hosted
 * fields; billing never sees, forwards or stores card data, whatever the provider.
 */
export interface PaymentProvider {
  /** Stored with each payment, e.g. `manual`. */
  readonly name: string;
  /** Succeeds with a receipt, or throws when the provider refuses the payment. */
  collect(request: PaymentRequest): Promise<PaymentReceipt>;
}

/**
 * The built-in provider: a bank transfer or other payment made outside the platform and recorded
 * here. Nothing is charged, so it always succeeds; the reference ties the record to the transfer.
 */
export class ManualTransferProvider implements PaymentProvider {
  readonly name = 'manual';

  async collect(request: PaymentRequest): Promise<PaymentReceipt> {
    return { providerReference: `manual:${request.reference ?? randomUUID()}` };
  }
}
