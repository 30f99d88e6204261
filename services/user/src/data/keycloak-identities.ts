import { NetworkError } from '@keycloak/keycloak-admin-client';
import { badRequest, type KeycloakAdmin } from '@platform/kit';

/** The Keycloak-owned half of a profile. */
export interface Identity {
  readonly subject: string;
  readonly username: string | null;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly enabled: boolean;
}

export interface IdentityChanges {
  email?: string;
  firstName?: string;
  lastName?: string;
}

/**
 * Reads and writes the fields Keycloak owns, through the Admin API with the service's own
 * client-credentials account. Failures surface as the admin client's errors, which the kit's
 * error handler turns into 503 (unreachable, 5xx), 409, 404 or 400 problems.
 */
export class KeycloakIdentities {
  constructor(private readonly admin: KeycloakAdmin) {}

  /** The identity, or null when Keycloak has no such user (e.g. it was deleted there). */
  async find(subject: string): Promise<Identity | null> {
    const user = await this.admin.users.findOne({ id: subject });
    return user?.id === undefined ? null : identityOf(user.id, user);
  }

  async findByUsername(username: string): Promise<Identity | null> {
    const [user] = await this.admin.users.find({ username, exact: true, max: 1 });
    return user?.id === undefined ? null : identityOf(user.id, user);
  }

  /** A new e-mail address is unverified until the user confirms it. */
  async update(subject: string, changes: IdentityChanges): Promise<void> {
    try {
      await this.admin.users.update(
        { id: subject },
        { ...changes, ...(changes.email === undefined ? {} : { emailVerified: false }) },
      );
    } catch (error) {
      throw fieldProblemOf(error) ?? error;
    }
  }

  /**
   * Asks Keycloak to e-mail the user its verify-e-mail link (the VERIFY_EMAIL action, in the
   * realm's own template); needs the realm's SMTP.
   */
  async sendVerifyEmail(subject: string): Promise<void> {
    await this.admin.users.sendVerifyEmail({ id: subject });
  }
}

interface UserRepresentation {
  username?: string;
  email?: string;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
  enabled?: boolean;
}

function identityOf(subject: string, user: UserRepresentation): Identity {
  return {
    subject,
    username: user.username ?? null,
    email: user.email ?? null,
    emailVerified: user.emailVerified ?? false,
    firstName: user.firstName ?? null,
    lastName: user.lastName ?? null,
    enabled: user.enabled ?? false,
  };
}

/** Keycloak's user-profile validation names the field it refused; keep that for the client. */
function fieldProblemOf(error: unknown) {
  if (!(error instanceof NetworkError) || error.response.status !== 400) return undefined;
  const data = error.responseData as { field?: unknown; errorMessage?: unknown } | undefined;
  if (typeof data?.field !== 'string') return undefined;
  const message =
    typeof data.errorMessage === 'string' ? data.errorMessage : 'refused by the identity provider';
  return badRequest('The identity provider refused a field', [{ field: data.field, message }]);
}
