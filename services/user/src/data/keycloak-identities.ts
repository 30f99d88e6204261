import {
  type CacheInvalidations,
  DependencyRefused,
  type KeycloakAdmin,
  KeycloakRefused,
  type Logger,
} from '@platform/kit';
import type { Identity, IdentityChanges, IdentityDirectory } from '../domain/identity-directory.js';

export interface KeycloakIdentitiesOptions {
  /** Tells every replica of the service to drop an identity this one changed. */
  readonly invalidations: CacheInvalidations;
  readonly logger: Logger;
  /**
   * How long `findRecent` may answer from memory. The own-profile read is the hottest route;
   * without this every call is an Admin API round trip.
   */
  readonly recentForMs?: number;
  readonly maxRecent?: number;
}

/**
 * Reads and writes the fields Keycloak owns, through the kit's Admin API client with the service's
 * own client-credentials account; that client turns Keycloak's failures into dependency errors.
 *
 * `findRecent`'s memory is per process, kept coherent across replicas by `invalidations`: a
 * replica's own write drops the entry on every replica at once, an event about the user
 * (identity-cache-consumer.ts) does the same, and a replica that lost its subscription to the
 * invalidations drops everything when it is back.
 */
export class KeycloakIdentities implements IdentityDirectory {
  private readonly recent = new Map<string, { identity: Identity; until: number }>();
  private readonly recentForMs: number;
  private readonly maxRecent: number;

  constructor(
    private readonly admin: KeycloakAdmin,
    private readonly options: KeycloakIdentitiesOptions,
  ) {
    this.recentForMs = options.recentForMs ?? 10_000;
    this.maxRecent = options.maxRecent ?? 10_000;
    options.invalidations.subscribe({
      invalidate: (subject) => this.recent.delete(subject),
      invalidateAll: () => this.recent.clear(),
    });
  }

  async find(subject: string): Promise<Identity | null> {
    const user = await this.admin.users.findOne({ id: subject });
    const identity = user?.id === undefined ? null : identityOf(user.id, user);
    this.remember(subject, identity);
    return identity;
  }

  /** Answers from memory for `recentForMs` after a read. */
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

  async update(subject: string, changes: IdentityChanges): Promise<void> {
    this.recent.delete(subject);
    try {
      await this.admin.users.update(
        { id: subject },
        { ...changes, ...(changes.email === undefined ? {} : { emailVerified: false }) },
      );
    } catch (error) {
      throw fieldRefusalOf(error) ?? error;
    } finally {
      // A read that raced with the write may have remembered the old values.
      this.recent.delete(subject);
      await this.tellReplicas(subject);
    }
  }

  /**
   * Best effort: the change is already made, so Redis being down must not fail it. The
   * `user.profile_updated` event the write emits invalidates again (at least once), and the
   * entries' short lifetime bounds what is left.
   */
  private async tellReplicas(subject: string): Promise<void> {
    await this.options.invalidations.publish(subject).catch((error: unknown) => {
      this.options.logger.warn(
        { err: error, subject },
        'could not tell the other replicas to drop an identity',
      );
    });
  }

  /** The VERIFY_EMAIL action, in the realm's own template; needs the realm's SMTP. */
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
function fieldRefusalOf(error: unknown): DependencyRefused | undefined {
  if (!(error instanceof KeycloakRefused) || error.refusal !== 'invalid' || error.field === undefined) {
    return undefined;
  }
  return new DependencyRefused('invalid', 'The identity provider refused a field', {
    fieldErrors: [{ field: error.field, message: error.reason ?? 'refused by the identity provider' }],
    cause: error,
  });
}
