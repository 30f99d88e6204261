import { badRequest, type Page } from '@platform/kit';
import { z } from 'zod';
import type { UserDirectory } from './user-directory.js';
import type { ListUsersQuery, UserSummary } from './user-schemas.js';
import { toUserSummary } from './user-views.js';

/** People one page at a time, in Keycloak's order (by username), optionally narrowed by a search. */
export async function listUsers(directory: UserDirectory, query: ListUsersQuery): Promise<Page<UserSummary>> {
  const first = decodeUserCursor(query.cursor, query.search);
  // One more than asked for tells whether another page exists.
  const users = await directory.search({ search: query.search, first, max: query.limit + 1 });
  return {
    items: users.slice(0, query.limit).map(toUserSummary),
    nextCursor: users.length > query.limit ? encodeUserCursor(first + query.limit, query.search) : null,
  };
}

// Keycloak pages users by offset (first/max). The cursor carries the offset together with the
// search it belongs to, so a cursor cannot be replayed against another search by mistake.
const userCursorSchema = z.strictObject({
  first: z.number().int().min(0),
  search: z.string().nullable(),
});

function encodeUserCursor(first: number, search: string | undefined): string {
  return Buffer.from(JSON.stringify({ first, search: search ?? null })).toString('base64url');
}

function decodeUserCursor(cursor: string | undefined, search: string | undefined): number {
  if (cursor === undefined) return 0;
  let position: z.infer<typeof userCursorSchema>;
  try {
    position = userCursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('The cursor is not one this API issued', [
      { field: 'cursor', message: 'invalid cursor' },
    ]);
  }
  if (position.search !== (search ?? null)) {
    throw badRequest('The cursor belongs to another search', [
      { field: 'cursor', message: 'pass the same search as the page the cursor came from' },
    ]);
  }
  return position.first;
}
