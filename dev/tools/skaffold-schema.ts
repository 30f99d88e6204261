/**
 * Skaffold's own JSON schema for a config apiVersion. Skaffold publishes its schemas in its
 * repository (docs-v2/content/en/schemas/<apiVersion>.json), which the Go module proxy serves as
 * the module github.com/GoogleContainerTools/skaffold/v2: `go mod download` keeps it in Go's module
 * cache, once per pinned version (dev/versions.json).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@platform/platform/environment';

const versions = JSON.parse(readFileSync(join(repoRoot, 'dev', 'versions.json'), 'utf8')) as {
  skaffoldModule: string;
};
const skaffoldModule = `github.com/GoogleContainerTools/skaffold/v2@${versions.skaffoldModule}`;

/** The module's folder in Go's module cache, downloaded when missing. */
export function skaffoldModuleDir(): string {
  const result = spawnSync('go', ['mod', 'download', '-json', skaffoldModule], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  const info = result.stdout ? (JSON.parse(result.stdout) as { Dir?: string; Error?: string }) : {};
  if (result.status !== 0 || !info.Dir) {
    throw new Error(`go mod download ${skaffoldModule} failed: ${info.Error ?? result.stderr ?? ''}`.trim());
  }
  return info.Dir;
}

/** The published schema of `apiVersion` (for example skaffold/v4beta13). */
export function skaffoldSchema(apiVersion: string): Record<string, unknown> {
  const file = join(
    skaffoldModuleDir(),
    'docs-v2',
    'content',
    'en',
    'schemas',
    `${apiVersion.replace(/^skaffold\//, '')}.json`,
  );
  if (!existsSync(file)) throw new Error(`${skaffoldModule} publishes no schema for ${apiVersion}`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}
