import { createHash } from 'node:crypto';
import {
  conflict,
  createEvent,
  notFound,
  type Principal,
  type Transaction,
  type UnitOfWork,
  unprocessableContent,
} from '@platform/kit';
import { EventTypes } from '@platform/contracts';
import type { AccountStore } from './account-store.js';
import { mayAccess } from './billing-roles.js';
import type { IdempotencyStore } from './idempotency-store.js';
import { assertTransition } from './invoice-lifecycle.js';
import type { InvoiceView } from './invoice-schemas.js';
import type { InvoiceStore } from './invoice-store.js';
import { toInvoiceView } from './invoice-view.js';
import type { PaymentProvider } from './payment-provider.js';
import type { PaymentBody, PaymentView } from './payment-schemas.js';
import type { PaymentRecord, PaymentStore } from './payment-store.js';

export interface PaymentDesk {
  readonly unitOfWork: UnitOfWork;
  readonly accounts: AccountStore;
  readonly invoices: InvoiceStore;
  readonly payments: PaymentStore;
  readonly idempotency: IdempotencyStore;
  readonly provider: PaymentProvider;
}

export interface PayInvoiceCommand {
  readonly invoiceId: string;
  readonly idempotencyKey: string;
  readonly body: PaymentBody;
}

export interface PaymentOutcome {
  readonly status: number;
  readonly body: unknown;
  /** True when the response is the stored one of an earlier request with the same key. */
  readonly replayed: boolean;
}

export interface PaymentRecorded {
  readonly payment: PaymentView;
  readonly invoice: InvoiceView;
}

/**
 * Pays (part of) an open invoice, once per Idempotency-Key.
 *
 * The key, the payment, the invoice update, the `invoice.paid` outbox row and the stored response
 * commit in one transaction. The invoice row is locked before the outstanding amount is read, so
 * concurrent payments queue up and each sees what the previous one left: nothing can over-pay
 * (and a CHECK constraint would refuse it if anything tried). A refused payment (404, 409)
 * stores nothing, so the same key may be used again once the cause is fixed.
 */
export function payInvoice(
  desk: PaymentDesk,
  principal: Principal,
  command: PayInvoiceCommand,
): Promise<PaymentOutcome> {
  const fingerprint = fingerprintOf(command);
  return desk.unitOfWork.run(async (tx) => {
    const reservation = await desk.idempotency.reserve(
      tx,
      principal.subject,
      command.idempotencyKey,
      fingerprint,
    );
    if (reservation.kind === 'seen') {
      if (reservation.requestFingerprint !== fingerprint) {
        throw unprocessableContent('This Idempotency-Key was already used for a different request', [
          { field: 'Idempotency-Key', message: 'already used with another body or invoice' },
        ]);
      }
      return { status: reservation.status, body: reservation.body, replayed: true };
    }
    const recorded = await recordPayment(desk, principal, command, tx);
    await desk.idempotency.complete(tx, principal.subject, command.idempotencyKey, 201, recorded);
    return { status: 201, body: recorded, replayed: false };
  });
}

async function recordPayment(
  desk: PaymentDesk,
  principal: Principal,
  { invoiceId, idempotencyKey, body }: PayInvoiceCommand,
  tx: Transaction,
): Promise<PaymentRecorded> {
  const invoice = await desk.invoices.lockForUpdate(tx, invoiceId);
  if (!invoice || !mayAccess(principal, invoice.userId)) throw notFound('No such invoice');
  if (invoice.status !== 'open')
    throw conflict(`The invoice is ${invoice.status}; only an open invoice can be paid`);

  // A share lock: a concurrent suspension waits for this payment, or this payment sees it.
  const account = await desk.accounts.lockForShare(tx, invoice.accountId);
  if (account?.status !== 'active') {
    throw conflict(`The billing account is ${account?.status ?? 'missing'}; it cannot pay`);
  }

  const outstanding = invoice.totalMinor - invoice.paidMinor;
  if (body.amountMinor > outstanding) {
    throw conflict(
      `The payment of ${body.amountMinor} exceeds the ${outstanding} ${invoice.currency} still owed`,
    );
  }

  const receipt = await desk.provider.collect({
    invoiceId,
    amountMinor: body.amountMinor,
    currency: invoice.currency,
    idempotencyKey,
    reference: body.reference,
  });
  const payment = await desk.payments.insert(tx, {
    invoiceId,
    accountId: invoice.accountId,
    amountMinor: body.amountMinor,
    currency: invoice.currency,
    provider: desk.provider.name,
    providerReference: receipt.providerReference,
    recordedBy: principal.subject,
  });

  invoice.paidMinor += body.amountMinor;
  if (invoice.paidMinor === invoice.totalMinor) {
    assertTransition(invoice.status, 'paid');
    invoice.status = 'paid';
    invoice.paidAt = new Date();
    // Same transaction as the status change: published if and only if the invoice became paid.
    await tx.enqueue(
      createEvent({
        type: EventTypes.invoicePaid,
        version: 1,
        subject: invoice.id,
        data: {
          invoiceId: invoice.id,
          accountId: invoice.accountId,
          amountMinor: invoice.totalMinor,
          currency: invoice.currency,
        },
      }),
    );
  }
  const saved = await desk.invoices.save(tx, invoice);
  return { payment: toPaymentView(payment), invoice: toInvoiceView(saved) };
}

/** The route and the parsed body: a retry matches it, a reused key with another request does not. */
function fingerprintOf({ invoiceId, body }: PayInvoiceCommand): string {
  const canonical = JSON.stringify({
    invoiceId,
    amountMinor: body.amountMinor,
    method: body.method,
    reference: body.reference ?? null,
  });
  return createHash('sha256').update(`POST /billing/invoices/{id}/payments\n${canonical}`).digest('hex');
}

function toPaymentView(payment: PaymentRecord): PaymentView {
  return {
    id: payment.id,
    invoiceId: payment.invoiceId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    provider: payment.provider,
    providerReference: payment.providerReference,
    createdAt: payment.createdAt.toISOString(),
  };
}
