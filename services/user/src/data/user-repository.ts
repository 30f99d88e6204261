import { entityManagerOf, paginateNewestFirst, preparedQuery, type Transaction } from '@platform/kit';
import type { DataSource, UpdateQueryBuilder } from 'typeorm';
import type {
  IdentityChange,
  LocalChanges,
  NewUser,
  UserListFilter,
  UserRecord,
  UserStore,
} from '../domain/user-store.js';
import type { RecentEntries } from './recent-entries.js';
import { selectBySubject, userOf, type UserRow } from './user-row.js';
import { User } from './user-entity.js';

export class UserRepository implements UserStore {
  /** `recent`: the rows this replica read lately; without it every read goes to the database. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly recent?: RecentEntries<UserRecord>,
  ) {}

  private users(tx?: Transaction) {
    return (tx ? entityManagerOf(tx) : this.dataSource.manager).getRepository(User);
  }

  findById(id: string): Promise<User | null> {
    return this.users().findOneBy({ id });
  }

  /**
   * Every authenticated route reads the caller's row. Outside a transaction it comes from the rows
   * this replica read lately, or from a prepared statement on the pool (what TypeORM builds around
   * such a read cost more than the query itself: npm run bench).
   */
  async findBySubject(subject: string, tx?: Transaction): Promise<UserRecord | null> {
    if (tx) return this.users(tx).findOneBy({ subject });
    const cached = this.recent?.get(subject);
    if (cached !== undefined) return cached;
    const startedAt = this.recent?.readStarted() ?? 0;
    const [row] = await preparedQuery<UserRow>(this.dataSource, 'user-by-subject', selectBySubject, [
      subject,
    ]);
    if (row === undefined) return null;
    const user = userOf(row);
    this.recent?.remember(user.subject, user, startedAt);
    return user;
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users()
      .createQueryBuilder('user')
      .where('user.username = :username', { username })
      .orderBy(`CASE WHEN user.status = 'deleted' THEN 1 ELSE 0 END`, 'ASC')
      .addOrderBy('user.createdAt', 'DESC')
      .getOne();
  }

  lockBySubject(subject: string, tx: Transaction): Promise<User | null> {
    return this.users(tx)
      .createQueryBuilder('user')
      .setLock('pessimistic_write')
      .where('user.subject = :subject', { subject })
      .getOne();
  }

  list(filter: UserListFilter): Promise<User[]> {
    const query = this.users().createQueryBuilder('user');
    if (filter.search !== undefined) {
      // Backslash is LIKE's default escape: the search term matches literally, wildcards included.
      query.andWhere('(user.username ILIKE :pattern OR user.displayName ILIKE :pattern)', {
        pattern: `%${filter.search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`,
      });
    }
    if (filter.status !== undefined) query.andWhere('user.status = :status', { status: filter.status });
    return paginateNewestFirst(query, 'user', filter).getMany();
  }

  /** Concurrent first calls race on the unique subject: exactly one insert wins. */
  async provision(user: NewUser, tx?: Transaction): Promise<User> {
    await this.users(tx)
      .createQueryBuilder()
      .insert()
      .into(User)
      .values({
        subject: user.subject,
        username: user.username,
        displayName: user.displayName,
        status: user.status ?? 'active',
      })
      .orIgnore()
      .execute();
    const row = await this.findBySubject(user.subject, tx);
    if (!row) throw new Error(`user ${user.subject} vanished right after provisioning`);
    return row;
  }

  async update(user: UserRecord, changes: LocalChanges, tx: Transaction): Promise<User> {
    await this.users(tx)
      .createQueryBuilder()
      .update(User)
      // TypeORM's deep-partial type cannot follow an open record; settings is plain jsonb.
      .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' } as Parameters<
        UpdateQueryBuilder<User>['set']
      >[0])
      .where('id = :id', { id: user.id })
      .execute();
    tx.afterCommit(() => this.recent?.changed(user.subject));
    const row = await this.findBySubject(user.subject, tx);
    if (!row) throw new Error(`user ${user.subject} vanished during an update`);
    return row;
  }

  /**
   * Set-based, so a redelivered or overtaken event needs no read first, and a batch of events is
   * one statement per kind: those that keep the status, and those that set it (the first kind
   * can't pass "keep" through the insert: status is NOT NULL there).
   */
  async applyIdentityChanges(changes: readonly IdentityChange[], tx: Transaction): Promise<void> {
    const keeping = changes.filter((change) => change.status === undefined);
    const setting = changes.filter((change) => change.status !== undefined);
    for (const [group, newStatus] of [
      [keeping, 'users.status'],
      [setting, 'EXCLUDED.status'],
    ] as const) {
      if (group.length === 0) continue;
      await entityManagerOf(tx).query(
        `INSERT INTO users (subject, username, display_name, status, identity_event_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
         ON CONFLICT (subject) DO UPDATE SET
           username = COALESCE(EXCLUDED.username, users.username),
           status = CASE WHEN users.status = 'deleted' THEN 'deleted' ELSE ${newStatus} END,
           identity_event_at = EXCLUDED.identity_event_at,
           version = users.version + 1,
           updated_at = now()
         WHERE users.identity_event_at IS NULL OR users.identity_event_at <= EXCLUDED.identity_event_at`,
        [
          group.map((change) => change.subject),
          group.map((change) => change.username ?? null),
          group.map((change) => change.displayName),
          group.map((change) => change.status ?? 'active'),
          group.map((change) => change.occurredAt),
        ],
      );
    }
    tx.afterCommit(() => {
      for (const change of changes) void this.recent?.changed(change.subject);
    });
  }
}
