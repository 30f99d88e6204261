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

  async open(userId: string, status: AccountStatus, tx: Transaction): Promise<void> {
    await this.accounts(tx)
      .createQueryBuilder()
      .insert()
      .into(Account)
      .values({ userId, status })
      .orIgnore()
      .execute();
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
