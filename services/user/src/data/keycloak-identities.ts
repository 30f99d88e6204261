import {
  type CacheInvalidations,
  DependencyRefused,
  type KeycloakAdmin,
  KeycloakRefused,
  type Logger,
} from '@platform/kit';
import type { Identity, IdentityChanges, IdentityDirectory } from '../domain/identity-directory.js';
import { RecentEntries } from './recent-entries.js';

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
 * `findRecent`'s memory is per process (RecentEntries), kept coherent across replicas by
 * `invalidations`: a replica's own write drops the entry on every replica at once, an event about
 * the user (identity-cache-consumer.ts) does the same, and a read that overlapped either is not
 * remembered.
 */
export class KeycloakIdentities implements IdentityDirectory {
  private readonly recent: RecentEntries<Identity>;

  constructor(
    private readonly admin: KeycloakAdmin,
    options: KeycloakIdentitiesOptions,
  ) {
    this.recent = new RecentEntries({
      invalidations: options.invalidations,
      logger: options.logger,
      what: 'an identity',
      forMs: options.recentForMs,
      max: options.maxRecent,
    });
  }

  async find(subject: string): Promise<Identity | null> {
    const startedAt = this.recent.readStarted();
    const user = await this.admin.users.findOne({ id: subject });
    const identity = user?.id === undefined ? null : identityOf(user.id, user);
    if (identity === null) this.recent.drop(subject);
    else this.recent.remember(subject, identity, startedAt);
    return identity;
  }

  /** Answers from memory for `recentForMs` after a read. */
  async findRecent(subject: string, now = Date.now()): Promise<Identity | null> {
    return this.recent.get(subject, now) ?? this.find(subject);
  }

  async findByUsername(username: string): Promise<Identity | null> {
    const [user] = await this.admin.users.find({ username, exact: true, max: 1 });
    return user?.id === undefined ? null : identityOf(user.id, user);
  }

  async update(subject: string, changes: IdentityChanges): Promise<void> {
    this.recent.drop(subject);
    try {
      await this.admin.users.update(
        { id: subject },
        { ...changes, ...(changes.email === undefined ? {} : { emailVerified: false }) },
      );
    } catch (error) {
      throw fieldRefusalOf(error) ?? error;
    } finally {
      // Every replica drops it, this one again: a read that raced with the write read old values.
      // The `user.profile_updated` event the write emits drops it again (at least once).
      await this.recent.changed(subject);
    }
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
