/** `npm run render:observability`: writes the files observability/observability-files.ts renders. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../dev/environment.js';
import { renderedFolders, renderObservabilityFiles } from './observability-files.js';

const files = await renderObservabilityFiles();
for (const folder of renderedFolders) rmSync(join(repoRoot, folder), { recursive: true, force: true });
for (const [path, content] of files) {
  const file = join(repoRoot, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}
process.stdout.write(`[render] ${files.size} observability files written\n`);
