/**
 * The committed files that `npm run render:deploy` writes (ConfigMap values, dev Secrets, the dev
 * realm, Keycloak's settings, the Tyk copy, prod ExternalSecrets, the mesh's JWT policies) are what
 * a fresh render gives: a change to environments/cluster.yaml, the realm, the access map, tyk/ or
 * a service's routes shows up here until the render is run again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { leftoverFiles, staleFiles } from '../../e2e/support/rendered-files.js';
import { renderDeployFiles, renderedFolders } from '../render.js';

let rendered = new Map<string, string>();
beforeAll(async () => {
  rendered = await renderDeployFiles();
});

describe('files rendered by npm run render:deploy', () => {
  it('when rendered afresh, then every committed file is identical (otherwise run npm run render:deploy)', () => {
    expect(staleFiles(rendered)).toEqual([]);
  });

  it('when a rendered folder holds a file the render no longer writes, then it is named', () => {
    expect(leftoverFiles(rendered, renderedFolders)).toEqual([]);
  });

  it('when the base is rendered, then no secret value is in it', () => {
    const base = [...rendered].filter(([path]) => path.startsWith('k8s/base/') || path.startsWith('mesh/'));
    const leaked = base.filter(([, content]) =>
      /SECRET--|dev-[a-z-]*(secret|password|db)|Dev-Password/i.test(content),
    );
    expect(leaked.map(([path]) => path)).toEqual([]);
  });
});
