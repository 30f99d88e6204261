import { z } from 'zod';
import { badRequest } from '../errors/problems.js';

/**
 * Keyset pagination over (created_at, id), newest first. The cursor is opaque to clients: the
 * position of the last row they saw, so pages stay stable while rows are added.
 */
export interface CursorPosition {
  readonly createdAt: string;
  readonly id: string;
}

export const maxPageSize = 100;

/**
 * A cursor is the position's time in epoch milliseconds and its row id: every string of this shape
 * names a position (a time up to the year 5138, any uuid), so the pattern is the whole rule and the
 * API document states it exactly.
 */
const cursorPattern = /^([0-9]{1,14})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Query parameters every list endpoint accepts; services extend it with their filters. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(20),
  cursor: z
    .string()
    .regex(cursorPattern, 'must be a nextCursor this API returned')
    .optional()
    .describe('The `nextCursor` of the previous page'),
});

export function encodeCursor(position: { createdAt: Date; id: string }): string {
  return `${position.createdAt.getTime()}_${position.id.toLowerCase()}`;
}

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  const match = cursorPattern.exec(cursor);
  if (!match) {
    throw badRequest('The cursor is not one this API issued', [
      { field: 'cursor', message: 'invalid cursor' },
    ]);
  }
  return { createdAt: new Date(Number(match[1])).toISOString(), id: match[2] as string };
}

export interface Page<T> {
  readonly items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only tells whether another page exists. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  present: (row: R) => T,
  positionOf: (row: R) => { createdAt: Date; id: string },
): Page<T> {
  const visible = rows.slice(0, limit);
  const last = visible.at(-1);
  return {
    items: visible.map(present),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}
