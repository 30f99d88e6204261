import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessMapSchema, type AccessMap } from './access-map-schema.js';
import { parse } from 'yaml';
import { repoRoot } from './environment.js';

export const accessMapFile = join(repoRoot, 'edge', 'access-map.yaml');

/** Reads and validates edge/access-map.yaml; a bad map stops with every problem named. */
export function loadAccessMap(file = accessMapFile): AccessMap {
  const parsed = accessMapSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid access map ${file}:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
