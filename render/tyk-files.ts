import { format, resolveConfig } from 'prettier';
import { join } from 'node:path';
import { loadEnvironment, repoRoot } from '../dev/environment.js';
import { loadAccessMap } from './access-map.js';
import { renderTyk } from './tyk.js';

export const tykDir = join(repoRoot, 'tyk');

/** The Tyk files as committed: rendered for the cluster environment, formatted like the rest of the repo. */
export async function renderTykFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const options = (await resolveConfig(join(tykDir, 'tyk.conf'))) ?? {};
  for (const [path, content] of renderTyk(loadAccessMap(), loadEnvironment('cluster'))) {
    files.set(path, await format(JSON.stringify(content), { ...options, parser: 'json' }));
  }
  return files;
}
