import { pageQuerySchema } from '@platform/kit';
import { z } from 'zod';
import { invoiceStatuses } from './invoice-store.js';

/** Caps that keep every total an exact JavaScript number (well below Number.MAX_SAFE_INTEGER). */
const maxLineAmountMinor = 1_000_000_000;
const maxQuantity = 1_000_000;
export const maxInvoiceTotalMinor = 1_000_000_000_000;

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

/** An ISO-4217 code this runtime knows (EUR, USD, JPY …), not merely three capital letters. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
  .refine((code) => knownCurrencies.has(code), 'not an ISO 4217 currency code');

export const invoiceLineSchema = z
  .object({
    description: z.string().trim().min(1).max(200),
    quantity: z.number().int().min(1).max(maxQuantity),
    unitAmountMinor: z.number().int().min(0).max(maxLineAmountMinor),
  })
  .strict();

export const createInvoiceBodySchema = z
  .object({
    /** The Keycloak subject of the user to bill; their billing account must exist. */
    userId: z.string().trim().min(1).max(200),
    currency: currencySchema,
    lines: z.array(invoiceLineSchema).min(1).max(100),
  })
  .strict()
  .superRefine((body, ctx) => {
    const total = invoiceTotalOf(body.lines);
    if (total === 0)
      ctx.addIssue({ code: 'custom', path: ['lines'], message: 'the invoice total must be above 0' });
    if (total > maxInvoiceTotalMinor) {
      ctx.addIssue({
        code: 'custom',
        path: ['lines'],
        message: `the invoice total exceeds ${maxInvoiceTotalMinor}`,
      });
    }
  });
export type CreateInvoiceBody = z.infer<typeof createInvoiceBodySchema>;

export function invoiceTotalOf(lines: readonly { quantity: number; unitAmountMinor: number }[]): number {
  return lines.reduce((sum, line) => sum + line.quantity * line.unitAmountMinor, 0);
}

export const invoiceParamsSchema = z.object({ id: z.uuid() });

export const invoiceSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  userId: z.string(),
  status: z.enum(invoiceStatuses),
  currency: z.string().regex(/^[A-Z]{3}$/),
  lines: z.array(invoiceLineSchema),
  totalMinor: z.number().int(),
  paidMinor: z.number().int(),
  finalizedAt: z.iso.datetime().nullable(),
  paidAt: z.iso.datetime().nullable(),
  voidedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type InvoiceView = z.infer<typeof invoiceSchema>;

export const listInvoicesQuerySchema = pageQuerySchema.extend({
  status: z.enum(invoiceStatuses).optional(),
  currency: currencySchema.optional(),
  /** Only billing administrators may look at somebody else's invoices; for others it is ignored. */
  userId: z.string().min(1).max(200).optional(),
});
export type ListInvoicesQuery = z.infer<typeof listInvoicesQuerySchema>;
