/**
 * The case the identity matrix is about: billing looking a person up on the user service's
 * internal API (`GET /internal/users/{id}`) with its client-credentials token.
 */
import { createTestUser, type TestUser } from '@platform/test-support/keycloak-users';
import { apiOf } from '@platform/test-support/service-api';
import { serviceToken } from '@platform/test-support/tokens';

export interface InternalLookup {
  /** A fresh person the user service knows; remove with deleteTestUsers. */
  person: TestUser;
  profileId: string;
  /** `/internal/users/{profile id}` */
  path: string;
  billingToken: string;
}

/** Makes a person and has the user service provision them (through its port-forward, directly). */
export async function internalLookup(prefix: string): Promise<InternalLookup> {
  const person = await createTestUser(prefix);
  const billingToken = await serviceToken('billing');
  const provisioned = await apiOf('user')('GET', `/internal/users/by-subject/${person.id}`, {
    token: billingToken,
  });
  if (provisioned.status !== 200) throw new Error(`the user service answered ${provisioned.status}`);
  const profileId = String(provisioned.body.id);
  return { person, profileId, path: `/internal/users/${profileId}`, billingToken };
}
