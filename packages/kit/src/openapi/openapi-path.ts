/** Express's `/users/:id` as OpenAPI's `/users/{id}`. */
export function openApiPathOf(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/** The parameter names of an Express path template, in order. */
export function pathParameterNamesOf(expressPath: string): string[] {
  return [...expressPath.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] as string);
}
