import type { Request } from 'express';
import type { z } from 'zod';
import { problemFromZodError, type RequestPart } from '../errors/problem-from-zod-error.js';

// Each returns the parsed, typed value or throws a 400 problem listing every invalid field.

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parsePart(schema, req.body, 'body');
}

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parsePart(schema, req.query, 'query');
}

export function parseParams<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parsePart(schema, req.params, 'params');
}

/** Express lower-cases header names, so the schema's keys must be lower case too. */
export function parseHeaders<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parsePart(schema, req.headers, 'headers');
}

function parsePart<S extends z.ZodType>(schema: S, value: unknown, where: RequestPart): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw problemFromZodError(result.error, where);
  return result.data;
}
