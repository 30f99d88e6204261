/**
 * One dependency the service needs before it can take traffic. Lives at the kit root because the
 * management server runs these checks while the database and messaging modules provide them.
 */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency is usable; rejects with a message saying why it is not. */
  check(): Promise<void>;
}
