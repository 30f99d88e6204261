import { z } from 'zod';
import { badRequest } from '../errors/problems.js';

/**
 * Keyset pagination over (created_at, id), newest first. The cursor is opaque to clients:
 * the position of the last row they saw, so pages stay stable while rows are added.
 */
export interface CursorPosition {
  readonly createdAt: string;
  readonly id: string;
}

export const maxPageSize = 100;

/** Query parameters every list endpoint accepts; services extend it with their filters. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(20),
  cursor: z.string().max(512).optional(),
});

const positionSchema = z.object({ createdAt: z.iso.datetime({ offset: true }), id: z.uuid() });

export function encodeCursor(position: { createdAt: Date; id: string }): string {
  const value: CursorPosition = { createdAt: position.createdAt.toISOString(), id: position.id };
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    return positionSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('The cursor is not one this API issued', [
      { field: 'cursor', message: 'invalid cursor' },
    ]);
  }
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
