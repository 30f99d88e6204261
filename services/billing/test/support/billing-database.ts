import type pg from 'pg';

/** A billing account as stored, read straight from the billing database. */
export interface AccountRow {
  id: string;
  user_id: string;
  status: string;
}

export async function accountRowsOf(db: pg.Pool, userId: string): Promise<AccountRow[]> {
  const { rows } = await db.query<AccountRow>('SELECT id, user_id, status FROM accounts WHERE user_id = $1', [
    userId,
  ]);
  return rows;
}
