import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { CursorPosition } from './cursor-page.js';

/**
 * Applies newest-first keyset pagination to a query over an entity with a creation time and `id`.
 * The time column must have millisecond precision (timestamptz(3)) so a cursor built from a
 * JavaScript Date names a row exactly.
 */
export function paginateNewestFirst<E extends ObjectLiteral>(
  query: SelectQueryBuilder<E>,
  alias: string,
  options: { cursor: CursorPosition | undefined; limit: number; createdAtColumn?: string },
): SelectQueryBuilder<E> {
  const createdAt = `${alias}.${options.createdAtColumn ?? 'createdAt'}`;
  if (options.cursor) {
    query.andWhere(`(${createdAt}, ${alias}.id) < (:cursorCreatedAt, :cursorId)`, {
      cursorCreatedAt: options.cursor.createdAt,
      cursorId: options.cursor.id,
    });
  }
  return query
    .orderBy(createdAt, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(options.limit + 1);
}
