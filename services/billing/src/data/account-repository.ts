import { entityManagerOf, type Transaction } from '@platform/kit';
import type { DataSource } from 'typeorm';
import type { AccountStatus, AccountStore } from '../domain/account-store.js';
import { Account } from './account-entity.js';

export class AccountRepository implements AccountStore {
  constructor(private readonly dataSource: DataSource) {}

  private accounts(tx?: Transaction) {
    return (tx ? entityManagerOf(tx) : this.dataSource.manager).getRepository(Account);
  }

  findByUserId(userId: string, tx?: Transaction): Promise<Account | null> {
    return this.accounts(tx).findOneBy({ userId });
  }

  /**
   * One plain statement: it runs once per user.registered, in bursts, and TypeORM's insert builder
   * (query building, then reading back the generated columns nobody uses) cost more than the insert.
   */
  async open(userId: string, status: AccountStatus, tx: Transaction): Promise<void> {
    await entityManagerOf(tx).query(
      'INSERT INTO accounts (user_id, status) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [userId, status],
    );
  }

  async setStatus(userId: string, status: AccountStatus, tx: Transaction): Promise<void> {
    await entityManagerOf(tx).query(
      `INSERT INTO accounts (user_id, status) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
       WHERE accounts.status <> 'closed'`,
      [userId, status],
    );
  }

  lockForShare(tx: Transaction, id: string): Promise<Account | null> {
    return this.accounts(tx)
      .createQueryBuilder('account')
      .setLock('pessimistic_read')
      .where('account.id = :id', { id })
      .getOne();
  }
}
