import type { RequestHandler } from 'express';
import { badRequest } from '../errors/problems.js';

/**
 * Refuses, with one 400 problem, a request whose path, query or JSON body holds a string
 * PostgreSQL cannot store or that is not text: a NUL character, or an unpaired UTF-16 surrogate
 * (JSON can carry both as escapes). One rule for every route, before anything is written or sent.
 */
export function wellFormedStrings(): RequestHandler {
  return (req, _res, next) => {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      next(badRequest('The path is not valid percent-encoding'));
      return;
    }
    const where = [
      isBadText(path) ? 'the path' : undefined,
      holdsBadText(req.query) ? 'the query' : undefined,
      holdsBadText(req.body) ? 'the body' : undefined,
    ].find((part) => part !== undefined);
    if (where === undefined) next();
    else next(badRequest(`Text in ${where} holds a NUL character or an unpaired surrogate`));
  };
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isBadText = (text: string) => text.includes('\u0000') || unpairedSurrogate.test(text);

function holdsBadText(value: unknown): boolean {
  if (typeof value === 'string') return isBadText(value);
  if (Array.isArray(value)) return value.some(holdsBadText);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).some(([key, entry]) => isBadText(key) || holdsBadText(entry));
  return false;
}
