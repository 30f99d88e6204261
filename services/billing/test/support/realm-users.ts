import { randomUUID } from 'node:crypto';
import KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import { secret } from '../../../../dev/environment.js';
import { environment, secrets } from '../../../../e2e/support/stack.js';
import { userToken } from '../../../../e2e/support/tokens.js';

const password = 'Billing-Test-Password-1';

/** A real user of the platform realm, made for one test file. */
export interface RealmUser {
  /** The Keycloak id: `sub` of their tokens and `userId` of their events. */
  readonly id: string;
  readonly username: string;
  readonly email: string;
  token(): Promise<string>;
}

async function keycloakAdmin(): Promise<KeycloakAdminClient> {
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

/** Creates Keycloak users holding the realm's default role `user`; remove them with removeRealmUsers. */
export async function createRealmUsers(prefix: string, count: number): Promise<RealmUser[]> {
  const admin = await keycloakAdmin();
  const users: RealmUser[] = [];
  for (let index = 0; index < count; index += 1) {
    const username = `${prefix}-${randomUUID().slice(0, 8)}`;
    const email = `${username}@example.test`;
    const { id } = await admin.users.create({
      username,
      email,
      emailVerified: true,
      firstName: 'Billing',
      lastName: 'Tester',
      enabled: true,
      credentials: [{ type: 'password', value: password, temporary: false }],
    });
    users.push({ id, username, email, token: () => userToken(username, password) });
  }
  return users;
}

export async function removeRealmUsers(users: readonly RealmUser[]): Promise<void> {
  const admin = await keycloakAdmin();
  for (const user of users) await admin.users.del({ id: user.id }).catch(() => undefined);
}
