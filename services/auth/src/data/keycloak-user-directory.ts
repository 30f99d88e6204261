import { DependencyRefused, type KeycloakAdmin } from '@platform/kit';
import type { DirectoryUser, NewDirectoryUser, UserDirectory } from '../domain/user-directory.js';

/** The fields of Keycloak's UserRepresentation this service reads. */
export interface KeycloakUserRecord {
  id?: string;
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled?: boolean;
  emailVerified?: boolean;
  createdTimestamp?: number;
}

// Keycloak names every service account user like this and the representation carries no other
// marker; such accounts belong to services (their clients' credentials), not to people, so this
// service never shows or changes them.
const serviceAccountPrefix = 'service-account-';

// How long the password link stays valid; the verification link keeps the realm's lifespan for
// links an administrator sends (12 hours by default).
const updatePasswordLinkLifespanSeconds = 60 * 60;

/**
 * The realm's people through the Keycloak Admin API, with the service account's least privilege
 * (manage-users, view-users, query-users). The kit's admin client turns Keycloak's failures into
 * dependency errors (refused: 409/400/404, unreachable or failing: 503).
 */
export class KeycloakUserDirectory implements UserDirectory {
  constructor(private readonly admin: KeycloakAdmin) {}

  async create(user: NewDirectoryUser): Promise<string> {
    const { id } = await this.admin.users.create({
      username: user.email,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      enabled: true,
      emailVerified: false,
      // Sent with the creation so a password the realm policy refuses creates no user at all.
      credentials: [{ type: 'password', value: user.password, temporary: false }],
    });
    return id;
  }

  async findById(id: string): Promise<DirectoryUser | undefined> {
    const record = (await this.admin.users.findOne({ id })) as KeycloakUserRecord | null;
    return record ? personOf(record) : undefined;
  }

  async get(id: string): Promise<DirectoryUser> {
    const user = await this.findById(id);
    if (!user) throw new DependencyRefused('not_found', 'No such user');
    return user;
  }

  async findByEmail(email: string): Promise<DirectoryUser | undefined> {
    const records = (await this.admin.users.find({
      email,
      exact: true,
      briefRepresentation: true,
    })) as KeycloakUserRecord[];
    return records.map(personOf).find((user) => user !== undefined);
  }

  async search(options: {
    search: string | undefined;
    first: number;
    max: number;
  }): Promise<DirectoryUser[]> {
    const records = (await this.admin.users.find({
      ...(options.search === undefined ? {} : { search: options.search }),
      first: options.first,
      max: options.max,
      briefRepresentation: true,
    })) as KeycloakUserRecord[];
    return records.map(personOf).filter((user) => user !== undefined);
  }

  async realmRoles(id: string): Promise<string[]> {
    const roles = await this.admin.users.listCompositeRealmRoleMappings({ id });
    return roles.flatMap((role) => (role.name === undefined ? [] : [role.name])).sort();
  }

  async directRealmRoles(id: string): Promise<string[]> {
    const roles = await this.admin.users.listRealmRoleMappings({ id });
    return roles.flatMap((role) => (role.name === undefined ? [] : [role.name])).sort();
  }

  /**
   * The role is looked up among the user's assignable roles, which needs only view-users (reading
   * realm roles would need view-realm).
   */
  async grantRealmRole(id: string, roleName: string): Promise<boolean> {
    const available = await this.admin.users.listAvailableRealmRoleMappings({ id });
    const roleId = available.find((candidate) => candidate.name === roleName)?.id;
    if (roleId === undefined) {
      if ((await this.directRealmRoles(id)).includes(roleName)) return false;
      throw new DependencyRefused('not_found', `No realm role "${roleName}"`);
    }
    await this.admin.users.addRealmRoleMappings({ id, roles: [{ id: roleId, name: roleName }] });
    return true;
  }

  async revokeRealmRole(id: string, roleName: string): Promise<boolean> {
    const mapped = await this.admin.users.listRealmRoleMappings({ id });
    const roleId = mapped.find((candidate) => candidate.name === roleName)?.id;
    if (roleId === undefined) return false;
    await this.admin.users.delRealmRoleMappings({ id, roles: [{ id: roleId, name: roleName }] });
    return true;
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.admin.users.update({ id }, { enabled });
  }

  async logout(id: string): Promise<void> {
    await this.admin.users.logout({ id });
  }

  async remove(id: string): Promise<void> {
    await this.admin.users.del({ id });
  }

  /** Keycloak's own mail ("Someone has created an account…"). */
  async sendVerifyEmail(id: string): Promise<void> {
    await this.admin.users.sendVerifyEmail({ id });
  }

  async sendUpdatePasswordEmail(id: string): Promise<void> {
    await this.admin.users.executeActionsEmail({
      id,
      actions: ['UPDATE_PASSWORD'],
      lifespan: updatePasswordLinkLifespanSeconds,
    });
  }
}

function personOf(record: KeycloakUserRecord): DirectoryUser | undefined {
  if (record.id === undefined || record.username === undefined) return undefined;
  if (record.username.startsWith(serviceAccountPrefix)) return undefined;
  return {
    id: record.id,
    username: record.username,
    email: record.email,
    firstName: record.firstName,
    lastName: record.lastName,
    enabled: record.enabled ?? false,
    emailVerified: record.emailVerified ?? false,
    createdAt: record.createdTimestamp === undefined ? undefined : new Date(record.createdTimestamp),
  };
}
