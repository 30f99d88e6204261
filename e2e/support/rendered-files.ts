import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../dev/environment.js';

/** Committed files (repository-relative paths) that differ from, or are missing in, a fresh render. */
export function staleFiles(rendered: ReadonlyMap<string, string>): string[] {
  return [...rendered]
    .filter(([path, content]) => {
      const file = join(repoRoot, path);
      return !existsSync(file) || readFileSync(file, 'utf8') !== content;
    })
    .map(([path]) => path);
}

/** Files in the rendered folders that the render no longer writes. */
export function leftoverFiles(rendered: ReadonlyMap<string, string>, folders: readonly string[]): string[] {
  return folders
    .flatMap((folder) => filesUnder(join(repoRoot, folder)))
    .filter((path) => !rendered.has(path));
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(repoRoot, path)];
  });
}
