/**
 * The committed observability files (dashboards JSON, Grafana provisioning, the cluster's copies of
 * dashboards, rules and collector configuration) are what a fresh render gives: a change to a
 * dashboard's code, a rule or an environment shows up here until `npm run render:observability`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { leftoverFiles, staleFiles } from '../../e2e/support/rendered-files.js';
import { renderedFolders, renderObservabilityFiles } from '../observability-files.js';

let rendered = new Map<string, string>();
beforeAll(async () => {
  rendered = await renderObservabilityFiles();
});

describe('files rendered by npm run render:observability', () => {
  it('when rendered afresh, then every committed file is identical (otherwise run npm run render:observability)', () => {
    expect(staleFiles(rendered)).toEqual([]);
  });

  it('when a rendered folder holds a file the render no longer writes, then it is named', () => {
    expect(leftoverFiles(rendered, renderedFolders)).toEqual([]);
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
