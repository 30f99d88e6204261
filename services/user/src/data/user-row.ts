import type { UserRecord, UserStatus } from '../domain/user-store.js';

/** The users table's columns as node-postgres returns them (timestamps already Dates). */
export interface UserRow {
  id: string;
  subject: string;
  username: string | null;
  display_name: string | null;
  avatar_url: string | null;
  status: UserStatus;
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  identity_event_at: Date | null;
  version: number;
}

export const selectBySubject = `SELECT id, subject, username, display_name, avatar_url, status, settings,
  created_at, updated_at, identity_event_at, version FROM users WHERE subject = $1`;

export function userOf(row: UserRow): UserRecord {
  return {
    id: row.id,
    subject: row.subject,
    username: row.username,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    status: row.status,
    settings: row.settings,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    identityEventAt: row.identity_event_at,
    version: row.version,
  };
}
