import type { DataSource, EntityManager } from 'typeorm';
import { User } from './user-entity.js';

export interface NewUser {
  subject: string;
  username: string | null;
  displayName: string | null;
}

export class UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  private users(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(User);
  }

  findBySubject(subject: string, manager?: EntityManager): Promise<User | null> {
    return this.users(manager).findOneBy({ subject });
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
      .values({ subject: user.subject, username: user.username, displayName: user.displayName })
      .orIgnore()
      .execute();
    const row = await this.findBySubject(user.subject, manager);
    if (!row) throw new Error(`user ${user.subject} vanished right after provisioning`);
    return row;
  }
}
