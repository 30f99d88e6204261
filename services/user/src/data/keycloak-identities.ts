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
  private readonly recent = new Map<string, { identity: Identity; until: number }>();

  /**
   * @param recentForMs how long `findRecent` may answer from memory. The own-profile read is the
   *   hottest route; without this every call is an Admin API round trip.
   */
  constructor(
    private readonly admin: KeycloakAdmin,
    private readonly recentForMs = 10_000,
    private readonly maxRecent = 10_000,
  ) {}

  /** The identity, or null when Keycloak has no such user (e.g. it was deleted there). */
  async find(subject: string): Promise<Identity | null> {
    const user = await this.admin.users.findOne({ id: subject });
    const identity = user?.id === undefined ? null : identityOf(user.id, user);
    this.remember(subject, identity);
    return identity;
  }

  /**
   * Like `find`, but may answer with what this replica read in the last few seconds: a change
   * made in Keycloak by someone else shows within `recentForMs`; this service's own writes at once.
   */
  async findRecent(subject: string, now = Date.now()): Promise<Identity | null> {
    const entry = this.recent.get(subject);
    if (entry !== undefined && now < entry.until) return entry.identity;
    return this.find(subject);
  }

  private remember(subject: string, identity: Identity | null): void {
    this.recent.delete(subject);
    if (identity === null) return;
    if (this.recent.size >= this.maxRecent) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    this.recent.set(subject, { identity, until: Date.now() + this.recentForMs });
  }

  async findByUsername(username: string): Promise<Identity | null> {
    const [user] = await this.admin.users.find({ username, exact: true, max: 1 });
    return user?.id === undefined ? null : identityOf(user.id, user);
  }

  /** A new e-mail address is unverified until the user confirms it. */
  async update(subject: string, changes: IdentityChanges): Promise<void> {
    this.recent.delete(subject);
    try {
      await this.admin.users.update(
        { id: subject },
        { ...changes, ...(changes.email === undefined ? {} : { emailVerified: false }) },
      );
    } catch (error) {
      throw fieldProblemOf(error) ?? error;
    } finally {
      // A read that raced with the write may have remembered the old values.
      this.recent.delete(subject);
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
