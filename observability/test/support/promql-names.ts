/**
 * The metric names a PromQL expression selects, for the dashboards' own queries. Not a parser: it
 * removes what cannot be a metric name (strings, label matchers, ranges, grouping clauses, numbers)
 * and keeps the identifiers that are not functions, aggregations or keywords.
 */
const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'atan2',
  'inf',
  'nan',
]);

export function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  // Numbers (with exponents and duration units) first, so their letters are not taken for names.
  for (const match of stripped.matchAll(
    /(\d+(?:\.\d+)?(?:e[+-]?\d+)?[a-z]*)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/gi,
  )) {
    const [, number, name, call] = match;
    if (number || !name || call || keywords.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}
