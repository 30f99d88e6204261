import { z } from 'zod';

/**
 * What every list route answers (a Page, as toPage builds it): one page of `items` and the cursor
 * of the next. `id` names the schema in the OpenAPI document, e.g. `InvoicePage`.
 */
export function pageSchema<T extends z.ZodType>(items: T, id: string) {
  return z
    .object({
      items: z.array(items),
      nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last one'),
    })
    .meta({ id });
}
