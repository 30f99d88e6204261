export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** Thrown when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    // One line, so it reads well as the last line of a crashed container's log.
    super(problems.map(({ variable, message }) => `${variable}: ${message}`.replace(/\s+/g, ' ')).join('; '));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
