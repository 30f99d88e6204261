import { format, resolveConfig } from 'prettier';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadEnvironment, repoRoot } from '../environment.js';
import { loadAccessMap } from '../access-map.js';
import { renderTyk } from './tyk.js';

export const tykDir = join(repoRoot, 'tyk');

/**
 * The Tyk files as committed: rendered for the cluster environment, formatted like the rest of the
 * repo, with the kustomization that turns them into the gateway's ConfigMaps (the Tyk component of
 * k8s/ includes this folder, so each file exists once).
 */
export async function renderTykFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const options = (await resolveConfig(join(tykDir, 'tyk.conf'))) ?? {};
  for (const [path, content] of renderTyk(loadAccessMap(), loadEnvironment('cluster'))) {
    files.set(path, await format(JSON.stringify(content), { ...options, parser: 'json' }));
  }
  const kustomization = `# Rendered by \`npm run render\` with the files beside it; edit the sources, then render again.\n${stringify(configMaps([...files.keys()]), { lineWidth: 0 })}`;
  files.set('kustomization.yaml', await format(kustomization, { ...options, parser: 'yaml' }));
  return files;
}

/** One ConfigMap per folder Tyk reads (tyk.conf on its own), each file a key. */
function configMaps(paths: string[]): unknown {
  const inFolder = (folder: string) =>
    paths.filter((path) => (folder === '.' ? !path.includes('/') : path.startsWith(`${folder}/`))).sort();
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    configMapGenerator: [
      { name: 'tyk-gateway-config', files: inFolder('.') },
      { name: 'tyk-gateway-apps', files: inFolder('apps') },
      { name: 'tyk-gateway-policies', files: inFolder('policies') },
      { name: 'tyk-gateway-templates', files: inFolder('templates') },
    ],
  };
}
