import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment with a zod object schema. An empty variable counts as unset, because
 * orchestrators often render `NAME=` for a value nobody filled in, and that must not pass as a value.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Environment = process.env): z.output<S> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') present[name] = value;
  }
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => describe(issue, present)));
}

function describe(issue: z.core.$ZodIssue, present: Record<string, string>): ConfigProblem {
  const variable = issue.path.map(String).join('.');
  const [name] = issue.path;
  const missing =
    issue.code === 'invalid_type' &&
    issue.path.length === 1 &&
    typeof name === 'string' &&
    !Object.hasOwn(present, name);
  return { variable, message: missing ? 'required' : issue.message };
}

export interface ConfigExit {
  /** Where the one-line failure goes; stderr by default. */
  readonly writeError?: (line: string) => void;
  readonly exit?: (code: number) => never;
}

/** For a service's entry point: a bad environment ends the process with one readable line. */
export function loadConfigOrExit<S extends z.ZodObject>(
  schema: S,
  env: Environment = process.env,
  { writeError = (line) => process.stderr.write(line), exit = process.exit }: ConfigExit = {},
): z.output<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    writeError(`Invalid configuration: ${error.message}\n`);
    return exit(1);
  }
}
