import { decodeCursor, type Page, toPage } from '@platform/kit';
import type { ListUsersQuery, UserSummary } from './profile-schemas.js';
import { toUserSummary } from './profile-views.js';
import type { UserStore } from './user-store.js';

export async function listUsers(users: UserStore, query: ListUsersQuery): Promise<Page<UserSummary>> {
  const { cursor, limit, search, status } = query;
  const rows = await users.list({ search, status, cursor: decodeCursor(cursor), limit });
  return toPage(rows, limit, toUserSummary, (row) => ({ createdAt: row.createdAt, id: row.id }));
}
