import { randomUUID } from 'node:crypto';
import KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import { secret } from '../../../../dev/environment.js';
import { environment, secrets } from '../../../../e2e/support/stack.js';
import { userToken } from '../../../../e2e/support/tokens.js';

const password = 'Test-Password-1';

export interface TestUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  /** A fresh access token through the dev-only password-grant client. */
  token(): Promise<string>;
}

/** The Keycloak Admin API as the master realm's administrator, for fixtures only. */
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
 * Creates a real Keycloak user (role `user` through the realm's default roles, plus `realmRoles`)
 * who has never called the user service. Remove them with deleteTestUsers.
 */
export async function createTestUser(prefix: string, realmRoles: readonly string[] = []): Promise<TestUser> {
  const admin = await keycloakAdmin();
  const username = `${prefix}-${randomUUID().slice(0, 8)}`;
  const email = `${username}@example.test`;
  const { id } = await admin.users.create({
    username,
    email,
    emailVerified: true,
    firstName: 'Test',
    lastName: 'Person',
    enabled: true,
    credentials: [{ type: 'password', value: password, temporary: false }],
  });
  if (realmRoles.length > 0) {
    const roles = await Promise.all(realmRoles.map((name) => admin.roles.findOneByName({ name })));
    await admin.users.addRealmRoleMappings({
      id,
      roles: roles.map((role) => ({ id: role!.id!, name: role!.name! })),
    });
  }
  return { id, username, email, token: () => userToken(username, password) };
}

export async function deleteTestUsers(users: readonly (TestUser | undefined)[]): Promise<void> {
  const admin = await keycloakAdmin();
  for (const user of users) {
    if (user) await admin.users.del({ id: user.id }).catch(() => undefined);
  }
}
