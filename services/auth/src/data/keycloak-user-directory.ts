import { type KeycloakAdmin, notFound, problemFromKeycloakError } from '@platform/kit';

/** A person's account as Keycloak holds it. */
export interface DirectoryUser {
  readonly id: string;
  readonly username: string;
  readonly email: string | undefined;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  readonly enabled: boolean;
  readonly emailVerified: boolean;
  readonly createdAt: Date | undefined;
}

export interface NewDirectoryUser {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly password: string;
}

/** The fields of Keycloak's UserRepresentation this service reads. */
interface KeycloakUserRecord {
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
 * (manage-users, view-users, query-users). Every failure leaves as a problem: Keycloak's conflict,
 * validation and not-found answers as 409/400/404, an unreachable or failing Keycloak as 503.
 */
export class KeycloakUserDirectory {
  constructor(private readonly admin: KeycloakAdmin) {}

  /** Creates an enabled account whose e-mail is not yet verified; the password policy applies atomically. */
  async create(user: NewDirectoryUser): Promise<string> {
    const { id } = await this.call(() =>
      this.admin.users.create({
        username: user.email,
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        enabled: true,
        emailVerified: false,
        // Sent with the creation so a password the realm policy refuses creates no user at all.
        credentials: [{ type: 'password', value: user.password, temporary: false }],
      }),
    );
    return id;
  }

  async findById(id: string): Promise<DirectoryUser | undefined> {
    const record = (await this.call(() => this.admin.users.findOne({ id }))) as KeycloakUserRecord | null;
    return record ? personOf(record) : undefined;
  }

  /** Like findById, but a missing account is a 404 problem. */
  async get(id: string): Promise<DirectoryUser> {
    const user = await this.findById(id);
    if (!user) throw notFound('No such user');
    return user;
  }

  async findByEmail(email: string): Promise<DirectoryUser | undefined> {
    const records = (await this.call(() =>
      this.admin.users.find({ email, exact: true, briefRepresentation: true }),
    )) as KeycloakUserRecord[];
    return records.map(personOf).find((user) => user !== undefined);
  }

  /** People in Keycloak's order (username), optionally matching `search` in names and e-mail. */
  async search(options: {
    search: string | undefined;
    first: number;
    max: number;
  }): Promise<DirectoryUser[]> {
    const records = (await this.call(() =>
      this.admin.users.find({
        ...(options.search === undefined ? {} : { search: options.search }),
        first: options.first,
        max: options.max,
        briefRepresentation: true,
      }),
    )) as KeycloakUserRecord[];
    return records.map(personOf).filter((user) => user !== undefined);
  }

  /** The realm roles the user effectively holds (through composites too), as tokens carry them. */
  async realmRoles(id: string): Promise<string[]> {
    const roles = await this.call(() => this.admin.users.listCompositeRealmRoleMappings({ id }));
    return roles.flatMap((role) => (role.name === undefined ? [] : [role.name])).sort();
  }

  /** The realm roles mapped to the user directly (not through a composite). */
  async directRealmRoles(id: string): Promise<string[]> {
    const roles = await this.call(() => this.admin.users.listRealmRoleMappings({ id }));
    return roles.flatMap((role) => (role.name === undefined ? [] : [role.name])).sort();
  }

  /**
   * Maps a realm role to the user; false when it already was. The role is looked up among the
   * user's assignable roles, which needs only view-users (reading realm roles would need view-realm).
   */
  async grantRealmRole(id: string, roleName: string): Promise<boolean> {
    const available = await this.call(() => this.admin.users.listAvailableRealmRoleMappings({ id }));
    const roleId = available.find((candidate) => candidate.name === roleName)?.id;
    if (roleId === undefined) {
      if ((await this.directRealmRoles(id)).includes(roleName)) return false;
      throw notFound(`No realm role "${roleName}"`);
    }
    await this.call(() =>
      this.admin.users.addRealmRoleMappings({ id, roles: [{ id: roleId, name: roleName }] }),
    );
    return true;
  }

  /** Removes a directly mapped realm role; false when the user had no such mapping. */
  async revokeRealmRole(id: string, roleName: string): Promise<boolean> {
    const mapped = await this.call(() => this.admin.users.listRealmRoleMappings({ id }));
    const roleId = mapped.find((candidate) => candidate.name === roleName)?.id;
    if (roleId === undefined) return false;
    await this.call(() =>
      this.admin.users.delRealmRoleMappings({ id, roles: [{ id: roleId, name: roleName }] }),
    );
    return true;
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.call(() => this.admin.users.update({ id }, { enabled }));
  }

  /** Ends every Keycloak session of the user, so their refresh tokens stop working. */
  async logout(id: string): Promise<void> {
    await this.call(() => this.admin.users.logout({ id }));
  }

  async remove(id: string): Promise<void> {
    await this.call(() => this.admin.users.del({ id }));
  }

  /** Keycloak mails a link that marks the address verified ("Someone has created an account…"). */
  async sendVerifyEmail(id: string): Promise<void> {
    await this.call(() => this.admin.users.sendVerifyEmail({ id }));
  }

  /** Keycloak mails a link that lets the user choose a new password. */
  async sendUpdatePasswordEmail(id: string): Promise<void> {
    await this.call(() =>
      this.admin.users.executeActionsEmail({
        id,
        actions: ['UPDATE_PASSWORD'],
        lifespan: updatePasswordLinkLifespanSeconds,
      }),
    );
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    // A token Keycloak no longer accepts is renewed once by the kit's admin client.
    try {
      return await request();
    } catch (error) {
      throw problemFromKeycloakError(error) ?? error;
    }
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
