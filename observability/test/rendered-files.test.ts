/**
 * The committed observability files (dashboards JSON, Grafana provisioning, the cluster's copies of
 * dashboards, rules and collector configuration) are what a fresh render gives: a change to a
 * dashboard's code, a rule or an environment shows up here until `npm run render:observability`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../dev/environment.js';
import { renderedFolders, renderObservabilityFiles } from '../observability-files.js';

let rendered = new Map<string, string>();
beforeAll(async () => {
  rendered = await renderObservabilityFiles();
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(repoRoot, path)];
  });
}

describe('files rendered by npm run render:observability', () => {
  it('when rendered afresh, then every committed file is identical (otherwise run npm run render:observability)', () => {
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

  it('when the dashboards are rendered, then each has a unique uid and every panel a unique id', () => {
    const dashboards = [...rendered]
      .filter(([path]) => path.startsWith('grafana/dashboards/'))
      .map(([, content]) => JSON.parse(content) as { uid: string; panels: { id: number }[] });
    expect(new Set(dashboards.map((dashboard) => dashboard.uid)).size).toBe(dashboards.length);
    for (const dashboard of dashboards) {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size, dashboard.uid).toBe(ids.length);
    }
  });
});
