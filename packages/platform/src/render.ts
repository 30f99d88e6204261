/**
 * `npm run render`: writes every rendered file (packages/platform/src/rendered-files.ts). The files
 * are committed; a test fails while one differs from a fresh render. (The local Envoy and Tyk are
 * rendered by the stack at start, into .stack/.)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './environment.js';
import { renderAllFiles, renderedFolders } from './rendered-files.js';

const files = await renderAllFiles();
for (const folder of renderedFolders) rmSync(join(repoRoot, folder), { recursive: true, force: true });
for (const [path, content] of files) {
  mkdirSync(dirname(join(repoRoot, path)), { recursive: true });
  writeFileSync(join(repoRoot, path), content);
}
process.stdout.write(`[render] ${files.size} files written\n`);
