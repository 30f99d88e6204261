import type { z } from 'zod';
import type { HttpProblem } from './http-problem.js';
import { badRequest } from './problems.js';

export type RequestPart = 'body' | 'query' | 'params' | 'headers';

const details: Record<RequestPart, string> = {
  body: 'The request body is invalid',
  query: 'The query parameters are invalid',
  params: 'The path parameters are invalid',
  headers: 'The request headers are invalid',
};

/** A 400 problem listing every invalid field; an issue about the whole part is named after the part. */
export function problemFromZodError(error: z.ZodError, where: RequestPart): HttpProblem {
  return badRequest(
    details[where],
    error.issues.map((issue) => ({
      field: issue.path.length === 0 ? where : issue.path.map(String).join('.'),
      message: issue.message,
    })),
  );
}
