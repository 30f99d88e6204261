import { z } from 'zod';

/** v1 payload of `invoice.paid`. Money is an integer count of the currency's minor unit, never a float. */
export const invoicePaidV1Schema = z.object({
  invoiceId: z.string().min(1),
  accountId: z.string().min(1),
  amountMinor: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
});

export type InvoicePaidV1 = z.infer<typeof invoicePaidV1Schema>;
