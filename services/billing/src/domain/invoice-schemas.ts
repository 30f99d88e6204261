import { pageQuerySchema, pageSchema } from '@platform/kit';
import { z } from 'zod';
import { invoiceStatuses } from './invoice-store.js';

/**
 * Per-line caps chosen so that no invoice can exceed maxInvoiceTotalMinor (100 lines × 10 000 ×
 * 1 000 000 000), which keeps every total an exact JavaScript number (below Number.MAX_SAFE_INTEGER):
 * a limit each field states, instead of a rule across fields that no schema could.
 */
const maxLines = 100;
const maxQuantity = 10_000;
const maxLineAmountMinor = 1_000_000_000;
export const maxInvoiceTotalMinor = maxLines * maxQuantity * maxLineAmountMinor;

/** The ISO 4217 codes this runtime knows (EUR, USD, JPY …), not merely three capital letters. */
export const currencySchema = z.enum(Intl.supportedValuesOf('currency') as [string, ...string[]], {
  error: 'must be an ISO 4217 code such as EUR',
});

export const invoiceLineSchema = z
  .object({
    description: z.string().trim().min(1).max(200),
    quantity: z.number().int().min(1).max(maxQuantity),
    unitAmountMinor: z.number().int().min(0).max(maxLineAmountMinor),
  })
  .strict()
  .meta({ id: 'InvoiceLine' });

export const createInvoiceBodySchema = z
  .object({
    userId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('The Keycloak subject of the user to bill; their billing account must exist'),
    currency: currencySchema,
    lines: z
      .array(invoiceLineSchema)
      .min(1)
      .max(maxLines)
      .refine((lines) => lines.some((line) => line.unitAmountMinor > 0), 'the invoice total must be above 0')
      // The refinement above, as the document states it.
      .meta({
        contains: { type: 'object', properties: { unitAmountMinor: { minimum: 1 } } },
        description: 'At least one line has a unit amount above 0',
      }),
  })
  .strict()
  .meta({ id: 'NewInvoice' });
export type CreateInvoiceBody = z.infer<typeof createInvoiceBodySchema>;

export function invoiceTotalOf(lines: readonly { quantity: number; unitAmountMinor: number }[]): number {
  return lines.reduce((sum, line) => sum + line.quantity * line.unitAmountMinor, 0);
}

export const invoiceParamsSchema = z.object({ id: z.uuid() });

export const invoiceSchema = z
  .object({
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
  })
  .meta({ id: 'Invoice' });
export type InvoiceView = z.infer<typeof invoiceSchema>;

export const listInvoicesQuerySchema = pageQuerySchema.extend({
  status: z.enum(invoiceStatuses).optional(),
  currency: currencySchema.optional(),
  userId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Whose invoices: only billing administrators may name somebody else; for others it is ignored'),
});
export type ListInvoicesQuery = z.infer<typeof listInvoicesQuerySchema>;

export const invoicePageSchema = pageSchema(invoiceSchema, 'InvoicePage');
