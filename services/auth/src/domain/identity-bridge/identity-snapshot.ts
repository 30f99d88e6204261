/**
 * The last state of a person the bridge has seen, kept so that a change can be told apart from a
 * repetition (was `enabled` flipped, or was the profile edited?). A deleted person stays as a
 * tombstone: Keycloak never reuses an id, and an event read late must not bring them back.
 */
export interface IdentitySnapshot {
  readonly userId: string;
  readonly username: string | undefined;
  readonly email: string | undefined;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  readonly enabled: boolean;
  readonly deleted: boolean;
}

/** The fields a profile change is judged on; a difference in any of them is `user.updated`. */
export const profileFields = ['username', 'email', 'firstName', 'lastName'] as const;

/** A person as Keycloak describes them now (a listing or a lookup). */
export type IdentityState = Omit<IdentitySnapshot, 'deleted'>;
