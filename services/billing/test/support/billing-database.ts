import pg from 'pg';
import { postgresUrl, secret } from '../../../../dev/environment.js';
import { environment, secrets } from '../../../../e2e/support/stack.js';

/** The billing service's own database, read directly to prove what was (not) written. */
export function billingDatabase(): pg.Pool {
  return new pg.Pool({
    connectionString: postgresUrl(environment, 'billing', secret(secrets, 'BILLING_DB_PASSWORD'), 'billing'),
    max: 2,
  });
}

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

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 200, what = 'the expected state' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
