/**
 * The committed files that `npm run render:deploy` writes (ConfigMap values, dev Secrets, the dev
 * realm, Keycloak's settings, the Tyk copy, prod ExternalSecrets, the mesh's JWT policies) are what
 * a fresh render gives: a change to environments/cluster.yaml, the realm, the access map, tyk/ or
 * a service's routes shows up here until the render is run again.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../dev/environment.js';
import { renderDeployFiles, renderedFolders } from '../render.js';

let rendered = new Map<string, string>();
beforeAll(async () => {
  rendered = await renderDeployFiles();
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(repoRoot, path)];
  });
}

describe('files rendered by npm run render:deploy', () => {
  it('when rendered afresh, then every committed file is identical (otherwise run npm run render:deploy)', () => {
    const stale = [...rendered].filter(([path, content]) => {
      const file = join(repoRoot, path);
      return !existsSync(file) || readFileSync(file, 'utf8') !== content;
    });
    expect(stale.map(([path]) => path)).toEqual([]);
  });

  it('when a rendered folder holds a file the render no longer writes, then it is named', () => {
    const leftovers = renderedFolders
      .flatMap((folder) => filesUnder(join(repoRoot, folder)))
      .filter((path) => !rendered.has(path));
    expect(leftovers).toEqual([]);
  });

  it('when the base is rendered, then no secret value is in it', () => {
    const base = [...rendered].filter(([path]) => path.startsWith('k8s/base/') || path.startsWith('mesh/'));
    const leaked = base.filter(([, content]) =>
      /SECRET--|dev-[a-z-]*(secret|password|db)|Dev-Password/i.test(content),
    );
    expect(leaked.map(([path]) => path)).toEqual([]);
  });
});
