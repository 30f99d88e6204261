/**
 * Test accounts made and removed directly through the Keycloak Admin API, with the auth service's
 * own client (the same least privilege the service has).
 */
import { ClientCredentialsTokens, createKeycloakAdmin, type KeycloakAdmin } from '@platform/kit';
import { environment } from '../../../../e2e/support/stack.js';
import { authServiceClient, strongPassword, uniqueEmail } from './auth-stack.js';

let admin: KeycloakAdmin | undefined;

export function keycloakAdmin(): KeycloakAdmin {
  admin ??= createKeycloakAdmin({
    url: environment.keycloak.internalUrl,
    realm: environment.realm,
    tokens: new ClientCredentialsTokens(authServiceClient()),
  });
  return admin;
}

export interface TestPerson {
  id: string;
  email: string;
  password: string;
}

/** A person who can sign in at once (verified e-mail), with the default roles. */
export async function createVerifiedPerson(label: string): Promise<TestPerson> {
  const email = uniqueEmail(label);
  const { id } = await keycloakAdmin().users.create({
    username: email,
    email,
    firstName: 'Test',
    lastName: label,
    enabled: true,
    emailVerified: true,
    credentials: [{ type: 'password', value: strongPassword, temporary: false }],
  });
  return { id, email, password: strongPassword };
}

/** Removes test accounts; ones already gone are fine. */
export async function removePeople(ids: Iterable<string>): Promise<void> {
  for (const id of ids) {
    await keycloakAdmin()
      .users.del({ id })
      .catch((error: { response?: { status?: number } }) => {
        if (error.response?.status !== 404) throw error;
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
