import { pageQuerySchema, pageSchema } from '@platform/kit';
import { z } from 'zod';

export const auditEntrySchema = z
  .object({
    id: z.uuid(),
    actor: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    requestId: z.string().nullable(),
    occurredAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = pageSchema(auditEntrySchema, 'AuditPage');

export const listAuditQuerySchema = pageQuerySchema.extend({
  actor: z.string().min(1).max(200).optional(),
  target: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  requestId: z.string().min(1).max(128).optional(),
  /** Only entries that occurred at or after this time. */
  since: z.iso.datetime({ offset: true }).optional(),
  /** Only entries that occurred before this time. */
  until: z.iso.datetime({ offset: true }).optional(),
});
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;
