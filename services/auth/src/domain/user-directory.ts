/** A person's account as the identity provider holds it. */
export interface DirectoryUser {
  readonly id: string;
  readonly username: string;
  readonly email: string | undefined;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  readonly enabled: boolean;
  readonly emailVerified: boolean;
  readonly createdAt: Date | undefined;
}

export interface NewDirectoryUser {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly password: string;
}

/**
 * The realm's people (never service accounts). Failures are the kit's dependency errors:
 * DependencyUnavailable when the identity provider is down, DependencyRefused when it refuses
 * (a taken address, a password its policy refuses, an account that is gone).
 */
export interface UserDirectory {
  /** Creates an enabled account whose e-mail is not yet verified; the password policy applies atomically. */
  create(user: NewDirectoryUser): Promise<string>;
  findById(id: string): Promise<DirectoryUser | undefined>;
  /** Like findById, but a missing account is refused as not found. */
  get(id: string): Promise<DirectoryUser>;
  findByEmail(email: string): Promise<DirectoryUser | undefined>;
  /** People in the directory's order (username), optionally matching `search` in names and e-mail. */
  search(options: { search: string | undefined; first: number; max: number }): Promise<DirectoryUser[]>;
  /** The realm roles the user effectively holds (through composites too), as tokens carry them. */
  realmRoles(id: string): Promise<string[]>;
  /** The realm roles mapped to the user directly (not through a composite). */
  directRealmRoles(id: string): Promise<string[]>;
  /** Maps a realm role to the user; false when it already was. */
  grantRealmRole(id: string, roleName: string): Promise<boolean>;
  /** Removes a directly mapped realm role; false when the user had no such mapping. */
  revokeRealmRole(id: string, roleName: string): Promise<boolean>;
  setEnabled(id: string, enabled: boolean): Promise<void>;
  /** Ends every session of the user, so their refresh tokens stop working. */
  logout(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** Mails a link that marks the address verified. */
  sendVerifyEmail(id: string): Promise<void>;
  /** Mails a link that lets the user choose a new password. */
  sendUpdatePasswordEmail(id: string): Promise<void>;
}
