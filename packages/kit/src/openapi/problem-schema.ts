import { z } from 'zod';

/** The RFC 9457 document every error response of the kit carries (see sendProblem). */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('One entry per invalid field (400 and 422)'),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem details document' });
