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
 * The fields Keycloak owns. Failures are the kit's dependency errors: DependencyUnavailable when
 * Keycloak is down, DependencyRefused when it refuses a change (an address another account holds).
 */
export interface IdentityDirectory {
  /** The identity, or null when Keycloak has no such user (e.g. it was deleted there). */
  find(subject: string): Promise<Identity | null>;
  /**
   * Like `find`, but may answer with what this replica read in the last few seconds: a change
   * made in Keycloak by someone else shows within that window; this service's own writes at once.
   */
  findRecent(subject: string): Promise<Identity | null>;
  findByUsername(username: string): Promise<Identity | null>;
  /** A new e-mail address is unverified until the user confirms it. */
  update(subject: string, changes: IdentityChanges): Promise<void>;
  /** Asks Keycloak to e-mail the user its verify-e-mail link. */
  sendVerifyEmail(subject: string): Promise<void>;
}
