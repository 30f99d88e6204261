import { z } from 'zod';
import { invoiceSchema, maxInvoiceTotalMinor } from './invoice-schemas.js';

/**
 * What a payer sends. Strict: a card number or any other unknown field is refused (400) rather
 * than silently dropped, so card data cannot even pass through.
 */
export const paymentBodySchema = z
  .object({
    amountMinor: z.number().int().min(1).max(maxInvoiceTotalMinor),
    method: z.enum(['bank_transfer']).default('bank_transfer'),
    /** The bank transfer's remittance reference, when known. */
    reference: z
      .string()
      .trim()
      .regex(/^[\w .:/-]{1,140}$/, 'up to 140 letters, digits, spaces and . : / - _')
      .optional(),
  })
  .strict()
  .meta({ id: 'NewPayment' });
export type PaymentBody = z.infer<typeof paymentBodySchema>;

/**
 * Printable ASCII without spaces, so a key can be logged and compared without surprises. Spaces and
 * tabs around a header value are not part of it (RFC 9110 §5.5): Node removes them before this runs.
 */
export const paymentHeadersSchema = z.object({
  'idempotency-key': z
    .string({ error: 'required: payments need an Idempotency-Key header' })
    .regex(/^[ \t]*[\x21-\x7e]{1,255}[ \t]*$/, 'expected 1 to 255 printable ASCII characters')
    .describe('Makes a retry of this payment safe: the same key and body answer with the first response'),
});

export const paymentSchema = z
  .object({
    id: z.uuid(),
    invoiceId: z.uuid(),
    amountMinor: z.number().int(),
    currency: z.string(),
    provider: z.string(),
    providerReference: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Payment' });
export type PaymentView = z.infer<typeof paymentSchema>;

/** What a recorded payment answers with: the payment and the invoice it changed. */
export const paymentRecordedSchema = z
  .object({ payment: paymentSchema, invoice: invoiceSchema })
  .meta({ id: 'PaymentRecorded' });
