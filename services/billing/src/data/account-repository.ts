import type { DataSource, EntityManager } from 'typeorm';
import { Account, type AccountStatus } from './account-entity.js';

export class AccountRepository {
  constructor(private readonly dataSource: DataSource) {}

  private accounts(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(Account);
  }

  findByUserId(userId: string, manager?: EntityManager): Promise<Account | null> {
    return this.accounts(manager).findOneBy({ userId });
  }

  /** Creates the user's account unless one exists; concurrent creations leave exactly one row. */
  async open(userId: string, status: AccountStatus, manager: EntityManager): Promise<void> {
    await this.accounts(manager)
      .createQueryBuilder()
      .insert()
      .into(Account)
      .values({ userId, status })
      .orIgnore()
      .execute();
  }

  /**
   * Sets the status a lifecycle event asks for, creating the account if the event came first.
   * A closed account stays closed: deletion is final, whatever arrives after it.
   */
  async setStatus(userId: string, status: AccountStatus, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO accounts (user_id, status) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
       WHERE accounts.status <> 'closed'`,
      [userId, status],
    );
  }

  /** Keeps the account's status from changing until the caller's transaction ends. */
  lockForShare(manager: EntityManager, id: string): Promise<Account | null> {
    return this.accounts(manager)
      .createQueryBuilder('account')
      .setLock('pessimistic_read')
      .where('account.id = :id', { id })
      .getOne();
  }
}
