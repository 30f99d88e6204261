/**
 * `npm run render`: writes the cluster edge (tyk/) from edge/access-map.yaml and
 * environments/cluster.yaml. The files are committed; edge/test/ fails when they differ from a fresh
 * render. (The local Envoy is rendered by the stack at start, into .stack/envoy/.)
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from '../dev/environment.js';
import { renderTykFiles, tykDir } from './tyk-files.js';

const files = await renderTykFiles();
// Rendered folders hold nothing else: a file no longer rendered (a removed service, policy) goes.
for (const folder of ['apps', 'policies', 'templates'])
  rmSync(join(tykDir, folder), { recursive: true, force: true });
for (const [path, content] of files) {
  const file = join(tykDir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}
process.stdout.write(`[render] ${files.size} files written to ${relative(repoRoot, tykDir)}/\n`);
for (const folder of ['apps', 'policies', 'templates']) {
  process.stdout.write(`[render]   ${folder}/: ${readdirSync(join(tykDir, folder)).length} files\n`);
}
