/** Real users of the platform realm, made and removed through the Keycloak Admin API for tests. */
import { randomUUID } from 'node:crypto';
import KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import { secret } from '@platform/platform/environment';
import { environment, secrets } from './stack.js';
import { userToken } from './tokens.js';

export interface TestUser {
  /** The Keycloak id: `sub` of their tokens and `userId` of their events. */
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly password: string;
  /** A fresh access token through the dev-only password-grant client. */
  token(): Promise<string>;
}

export interface TestUserOptions {
  firstName?: string;
  lastName?: string;
  password?: string;
  /** Besides `user`, which every account gets through the realm's default roles. */
  realmRoles?: readonly string[];
  /** As sign-up does; otherwise the username is `<prefix>-<random>` and the e-mail is made from it. */
  emailAsUsername?: boolean;
  /** False creates the account disabled, in the same admin event as its creation. */
  enabled?: boolean;
  /** Who creates the account; the master realm's administrator unless given. */
  admin?: KeycloakAdminClient;
}

/** The Keycloak Admin API as the master realm's administrator, acting on the platform realm. */
export async function keycloakAdmin(): Promise<KeycloakAdminClient> {
  const admin = new KeycloakAdminClient({ baseUrl: environment.keycloak.internalUrl, realmName: 'master' });
  await admin.auth({
    grantType: 'password',
    clientId: 'admin-cli',
    username: secret(secrets, 'KEYCLOAK_ADMIN_USERNAME'),
    password: secret(secrets, 'KEYCLOAK_ADMIN_PASSWORD'),
  });
  admin.setConfig({ realmName: environment.realm });
  return admin;
}

/**
 * A user who can sign in at once (verified e-mail, password set) and has never called a service.
 * Remove them with deleteTestUsers.
 */
export async function createTestUser(prefix: string, options: TestUserOptions = {}): Promise<TestUser> {
  const {
    firstName = 'Test',
    lastName = 'Person',
    password = 'Test-Password-1',
    realmRoles = [],
    emailAsUsername = false,
    enabled = true,
  } = options;
  const admin = options.admin ?? (await keycloakAdmin());
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const email = `${name}@example.test`;
  const username = emailAsUsername ? email : name;
  const { id } = await admin.users.create({
    username,
    email,
    emailVerified: true,
    firstName,
    lastName,
    enabled,
    credentials: [{ type: 'password', value: password, temporary: false }],
  });
  if (realmRoles.length > 0) {
    const roles = await Promise.all(realmRoles.map((role) => admin.roles.findOneByName({ name: role })));
    await admin.users.addRealmRoleMappings({
      id,
      roles: roles.map((role) => ({ id: role!.id!, name: role!.name! })),
    });
  }
  return { id, username, email, password, token: () => userToken(username, password) };
}

/** `count` users as createTestUser makes them, by one administrator session. */
export async function createTestUsers(
  prefix: string,
  count: number,
  options: TestUserOptions = {},
): Promise<TestUser[]> {
  const admin = options.admin ?? (await keycloakAdmin());
  const users: TestUser[] = [];
  for (let index = 0; index < count; index += 1) {
    users.push(await createTestUser(prefix, { ...options, admin }));
  }
  return users;
}

/** Removes test users; ones already gone (e.g. by a realm re-import) are fine. */
export async function deleteTestUsers(
  users: Iterable<{ readonly id: string } | undefined>,
  { admin }: { admin?: KeycloakAdminClient } = {},
): Promise<void> {
  const client = admin ?? (await keycloakAdmin());
  for (const user of users) {
    if (!user) continue;
    await client.users.del({ id: user.id }).catch((error: { response?: { status?: number } }) => {
      if (error.response?.status !== 404) throw error;
    });
  }
}
