/**
 * Every file the repository holds that is rendered from another source: the cluster edge (tyk/),
 * the services' workloads, the values and secrets the manifests take, the mesh's JWT policies,
 * skaffold.yaml, the dashboards and the observability files. `npm run render` writes them;
 * packages/platform/test/rendered-files.test.ts fails while a committed one differs.
 */
import { renderDeployFiles, renderedFolders as deployFolders } from './cluster/deploy-files.js';
import { renderServiceWorkloads, servicesBaseDir } from './cluster/service-workloads.js';
import { renderSkaffold } from './cluster/skaffold.js';
import { renderTykFiles } from './edge/tyk-files.js';
import { renderedFolders as observabilityFolders, renderObservabilityFiles } from './observability-files.js';
import { formatted, renderedHeader } from './rendered-file.js';

/** Folders written whole by the render: a file no longer rendered (a removed service, policy) goes. */
export const renderedFolders = [
  ...['apps', 'policies', 'templates'].map((folder) => `tyk/${folder}`),
  servicesBaseDir,
  ...deployFolders,
  ...observabilityFolders,
];

export async function renderAllFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [path, content] of await renderTykFiles()) files.set(`tyk/${path}`, content);
  for (const [path, content] of renderServiceWorkloads())
    files.set(path, await formatted(path, content, 'yaml'));
  for (const [path, content] of await renderDeployFiles()) files.set(path, content);
  for (const [path, content] of await renderObservabilityFiles()) files.set(path, content);
  const skaffold = renderSkaffold(renderedHeader('the topology (packages/platform/src/cluster/skaffold.ts)'));
  files.set('skaffold.yaml', await formatted('skaffold.yaml', skaffold, 'yaml'));
  return files;
}
