/**
 * Test accounts made and removed directly through the Keycloak Admin API, with the auth service's
 * own client (the same least privilege the service has).
 */
import {
  ClientCredentialsTokens,
  createKeycloakAdmin,
  DependencyRefused,
  type KeycloakAdmin,
} from '@platform/kit';
import { createTestUser, type TestUser } from '@platform/test-support/keycloak-users';
import { environment } from '@platform/test-support/stack';
import { authServiceClient, strongPassword } from './auth-stack.js';

let admin: KeycloakAdmin | undefined;

export function keycloakAdmin(): KeycloakAdmin {
  admin ??= createKeycloakAdmin({
    url: environment.keycloak.internalUrl,
    realm: environment.realm,
    tokens: new ClientCredentialsTokens(authServiceClient()),
  });
  return admin;
}

/** A person who can sign in at once (verified e-mail, which is also the username), with the default roles. */
export function createVerifiedPerson(label: string): Promise<TestUser> {
  return createTestUser(label, {
    admin: keycloakAdmin(),
    emailAsUsername: true,
    lastName: label,
    password: strongPassword,
  });
}

/** Removes test accounts; ones already gone are fine (the kit's client refuses them as not found). */
export async function removePeople(ids: Iterable<string>): Promise<void> {
  for (const id of ids) {
    await keycloakAdmin()
      .users.del({ id })
      .catch((error: unknown) => {
        if (!(error instanceof DependencyRefused && error.refusal === 'not_found')) throw error;
      });
  }
}

export async function findByEmail(email: string) {
  const [user] = await keycloakAdmin().users.find({ email, exact: true });
  return user;
}

export async function idOf(username: string): Promise<string> {
  const [user] = await keycloakAdmin().users.find({ username, exact: true });
  if (!user?.id) throw new Error(`no user ${username}`);
  return user.id;
}

export async function effectiveRealmRoles(id: string): Promise<string[]> {
  return (await keycloakAdmin().users.listCompositeRealmRoleMappings({ id })).map((role) => role.name ?? '');
}
