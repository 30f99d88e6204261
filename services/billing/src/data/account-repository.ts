import { entityManagerOf, type Transaction } from '@platform/kit';
import type { DataSource } from 'typeorm';
import type { AccountChange, AccountStore } from '../domain/account-store.js';
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
   * Plain statements, one per kind of change, for a whole batch of events: they run in bursts, and
   * TypeORM's insert builder (query building, then reading back the generated columns nobody uses)
   * cost more than the inserts.
   */
  async applyChanges(changes: readonly AccountChange[], tx: Transaction): Promise<void> {
    for (const [opensOnly, onConflict] of [
      [true, 'DO NOTHING'],
      [
        false,
        `(user_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
               WHERE accounts.status <> 'closed'`,
      ],
    ] as const) {
      const group = changes.filter((change) => change.opensOnly === opensOnly);
      if (group.length === 0) continue;
      await entityManagerOf(tx).query(
        `INSERT INTO accounts (user_id, status)
         SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT ${onConflict}`,
        [group.map((change) => change.userId), group.map((change) => change.status)],
      );
    }
  }

  lockForShare(tx: Transaction, id: string): Promise<Account | null> {
    return this.accounts(tx)
      .createQueryBuilder('account')
      .setLock('pessimistic_read')
      .where('account.id = :id', { id })
      .getOne();
  }
}
