import { type CursorPosition, paginateNewestFirst } from '@platform/kit';
import type { DataSource, EntityManager, UpdateQueryBuilder } from 'typeorm';
import { User, type UserStatus } from './user-entity.js';

export interface NewUser {
  subject: string;
  username: string | null;
  displayName: string | null;
  status?: UserStatus;
}

/** Local fields a profile update may change. */
export interface LocalChanges {
  displayName?: string | null;
  avatarUrl?: string | null;
  settings?: Record<string, unknown>;
}

/** What one identity event says about a user; `status` undefined keeps the current one. */
export interface IdentityChange {
  subject: string;
  username: string | undefined;
  /** Used only when the event creates the row. */
  displayName: string | null;
  status: UserStatus | undefined;
  occurredAt: Date;
}

export interface UserListFilter {
  search: string | undefined;
  status: UserStatus | undefined;
  cursor: CursorPosition | undefined;
  limit: number;
}

export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  private users(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(User);
  }

  findById(id: string): Promise<User | null> {
    return this.users().findOneBy({ id });
  }

  findBySubject(subject: string, manager?: EntityManager): Promise<User | null> {
    return this.users(manager).findOneBy({ subject });
  }

  /**
   * Usernames are unique in Keycloak, but a deleted user's name may be taken again, so several
   * rows can share one: the live one wins, then the newest.
   */
  findByUsername(username: string): Promise<User | null> {
    return this.users()
      .createQueryBuilder('user')
      .where('user.username = :username', { username })
      .orderBy(`CASE WHEN user.status = 'deleted' THEN 1 ELSE 0 END`, 'ASC')
      .addOrderBy('user.createdAt', 'DESC')
      .getOne();
  }

  /** The row for update, locked until the caller's transaction ends, so concurrent updates queue up. */
  lockBySubject(subject: string, manager: EntityManager): Promise<User | null> {
    return this.users(manager)
      .createQueryBuilder('user')
      .setLock('pessimistic_write')
      .where('user.subject = :subject', { subject })
      .getOne();
  }

  /** Up to `limit + 1` rows, newest first. */
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

  /**
   * Creates the row for a subject unless it exists; concurrent first calls race on the
   * unique subject and exactly one insert wins, the others read the winner's row.
   */
  async provision(user: NewUser, manager?: EntityManager): Promise<User> {
    await this.users(manager)
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
    const row = await this.findBySubject(user.subject, manager);
    if (!row) throw new Error(`user ${user.subject} vanished right after provisioning`);
    return row;
  }

  /** Applies local changes and moves the version on; returns the row as it now is. */
  async update(user: User, changes: LocalChanges, manager: EntityManager): Promise<User> {
    await this.users(manager)
      .createQueryBuilder()
      .update(User)
      // TypeORM's deep-partial type cannot follow an open record; settings is plain jsonb.
      .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' } as Parameters<
        UpdateQueryBuilder<User>['set']
      >[0])
      .where('id = :id', { id: user.id })
      .execute();
    const row = await this.findBySubject(user.subject, manager);
    if (!row) throw new Error(`user ${user.subject} vanished during an update`);
    return row;
  }

  /**
   * Creates or updates the row an identity event is about, in one statement. An event older than
   * the last one applied changes nothing; `deleted` is final, since Keycloak never reuses an id.
   * Every applied event moves the version on: the Keycloak-owned half of the profile may have
   * changed, and an If-Match based on the old view must not pass.
   */
  async applyIdentityChange(change: IdentityChange, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO users (subject, username, display_name, status, identity_event_at)
       VALUES ($1, $2, $3, COALESCE($4, 'active'), $5)
       ON CONFLICT (subject) DO UPDATE SET
         username = COALESCE($2, users.username),
         status = CASE WHEN users.status = 'deleted' THEN 'deleted' ELSE COALESCE($4, users.status) END,
         identity_event_at = $5,
         version = users.version + 1,
         updated_at = now()
       WHERE users.identity_event_at IS NULL OR users.identity_event_at <= $5`,
      [change.subject, change.username ?? null, change.displayName, change.status ?? null, change.occurredAt],
    );
  }
}
