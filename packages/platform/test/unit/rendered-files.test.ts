/**
 * The committed rendered files (tyk/, the services' workloads, the manifests' values and dev
 * Secrets, the dev realm, prod ExternalSecrets, the mesh's JWT policies, skaffold.yaml, the
 * dashboards and observability files) are what a fresh render gives: a change to a source shows up
 * here until `npm run render` is run again.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/environment.js';
import { renderAllFiles, renderedFolders } from '../../src/rendered-files.js';

let rendered = new Map<string, string>();
beforeAll(async () => {
  rendered = await renderAllFiles();
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(repoRoot, path)];
  });
}

describe('files rendered by npm run render', () => {
  it('when rendered afresh, then every committed file is identical (otherwise run npm run render)', () => {
    const stale = [...rendered]
      .filter(([path, content]) => {
        const file = join(repoRoot, path);
        return !existsSync(file) || readFileSync(file, 'utf8') !== content;
      })
      .map(([path]) => path);
    expect(stale).toEqual([]);
  });

  it('when a rendered folder holds a file the render no longer writes, then it is named', () => {
    const leftovers = renderedFolders
      .flatMap((folder) => filesUnder(join(repoRoot, folder)))
      .filter((path) => !rendered.has(path));
    expect(leftovers).toEqual([]);
  });

  it('when a file is rendered, then its first line says so (JSON has no comments)', () => {
    const unmarked = [...rendered]
      .filter(([, content]) => !content.startsWith('{'))
      .filter(([, content]) => !content.startsWith('# Rendered by `npm run render`'))
      .map(([path]) => path);
    expect(unmarked).toEqual([]);
  });

  it('when the base is rendered, then no secret value is in it', () => {
    const base = [...rendered].filter(([path]) => path.startsWith('k8s/base/') || path.startsWith('mesh/'));
    const leaked = base.filter(([, content]) =>
      /SECRET--|dev-[a-z-]*(secret|password|db)|Dev-Password/i.test(content),
    );
    expect(leaked.map(([path]) => path)).toEqual([]);
  });

  it('when the dashboards are rendered, then each has a unique uid and every panel a unique id', () => {
    const dashboards = [...rendered]
      .filter(([path]) => path.startsWith('grafana/dashboards/') && path.endsWith('.json'))
      .map(([, content]) => JSON.parse(content) as { uid: string; panels: { id: number }[] });
    expect(new Set(dashboards.map((dashboard) => dashboard.uid)).size).toBe(dashboards.length);
    for (const dashboard of dashboards) {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size, dashboard.uid).toBe(ids.length);
    }
  });
});
