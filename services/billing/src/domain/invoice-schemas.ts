import { pageQuerySchema } from '@platform/kit';
import { z } from 'zod';
import { invoiceStatuses } from '../data/invoice-entity.js';

export const invoiceLineSchema = z.object({
  description: z.string().min(1).max(200),
  quantity: z.number().int().min(1).max(1_000_000),
  unitAmountMinor: z.number().int().min(0).max(1_000_000_000),
});

export const invoiceSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  userId: z.string(),
  status: z.enum(invoiceStatuses),
  currency: z.string().regex(/^[A-Z]{3}$/),
  lines: z.array(invoiceLineSchema),
  totalMinor: z.number().int(),
  paidMinor: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type InvoiceView = z.infer<typeof invoiceSchema>;

export const listInvoicesQuerySchema = pageQuerySchema.extend({
  status: z.enum(invoiceStatuses).optional(),
  /** Only billing administrators may look at somebody else's invoices. */
  userId: z.string().min(1).max(200).optional(),
});
export type ListInvoicesQuery = z.infer<typeof listInvoicesQuerySchema>;
