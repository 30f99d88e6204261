/**
 * The observability files rendered from their sources (`npm run render:observability`):
 *
 * - grafana/dashboards/*.json: the dashboards as code (grafana/src), as Grafana provisions them;
 * - grafana/provisioning/: the local Grafana's data source (environments/local.yaml) and dashboards;
 * - k8s/observability/: what the cluster's Prometheus, Grafana and collector read, copied into the
 *   kustomization (kustomize reads files only from inside its own folder): the dashboards, the
 *   Prometheus rules, the collector configuration, and Grafana's provisioning for the cluster
 *   (environments/cluster.yaml).
 *
 * The files are committed; observability/test/rendered-files.test.ts fails when one differs from a
 * fresh render.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import { type Environment, loadEnvironment, repoRoot } from '../dev/environment.js';
import { platformDashboards } from '../grafana/src/dashboards.js';

export const dashboardsDir = 'grafana/dashboards';
const localProvisioning = 'grafana/provisioning';
export const clusterDir = 'k8s/observability';
/** Folders written whole by the render: a file no longer rendered goes. */
export const renderedFolders = [
  dashboardsDir,
  localProvisioning,
  `${clusterDir}/grafana/dashboards`,
  `${clusterDir}/prometheus/rules`,
];
/** Where the cluster's Grafana finds the dashboards (the dashboards ConfigMap's mount). */
export const clusterDashboardsPath = '/var/lib/grafana/dashboards/platform';

const header = (source: string) =>
  `# Rendered by \`npm run render:observability\`; edit the source, then render again.\n# Source: ${source}.\n`;

async function formatted(path: string, text: string, parser: 'json' | 'yaml'): Promise<string> {
  const options = (await resolveConfig(join(repoRoot, path))) ?? {};
  return format(text, { ...options, parser });
}

function datasources(env: Environment): unknown {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        // The dashboards name this uid.
        uid: 'prometheus',
        type: 'prometheus',
        access: 'proxy',
        url: `http://${env.prometheus.host}:${env.prometheus.port}`,
        isDefault: true,
        editable: false,
        // Grafana's $__rate_interval is at least four scrapes: it must know the scrape interval.
        jsonData: { timeInterval: `${env.prometheus.scrapeIntervalSeconds}s` },
      },
    ],
  };
}

function dashboardProvider(path: string): unknown {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'platform',
        folder: 'Platform',
        type: 'file',
        // Dashboards are code: changes go through grafana/src, not the UI.
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path },
      },
    ],
  };
}

export async function renderObservabilityFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const yamlFile = async (path: string, source: string, document: unknown) =>
    files.set(
      path,
      await formatted(path, `${header(source)}${stringify(document, { lineWidth: 0 })}`, 'yaml'),
    );

  for (const [name, dashboard] of platformDashboards()) {
    const json = await formatted(`${dashboardsDir}/${name}`, JSON.stringify(dashboard), 'json');
    files.set(`${dashboardsDir}/${name}`, json);
    files.set(`${clusterDir}/grafana/dashboards/${name}`, json);
  }

  await yamlFile(
    `${localProvisioning}/datasources/prometheus.yaml`,
    'environments/local.yaml',
    datasources(loadEnvironment('local')),
  );
  // Grafana expands environment variables in provisioning files; see the README for running it.
  await yamlFile(
    `${localProvisioning}/dashboards/platform.yaml`,
    'observability/observability-files.ts',
    dashboardProvider('$PLATFORM_DASHBOARDS'),
  );
  await yamlFile(
    `${clusterDir}/grafana/provisioning/datasources.yaml`,
    'environments/cluster.yaml',
    datasources(loadEnvironment('cluster')),
  );
  await yamlFile(
    `${clusterDir}/grafana/provisioning/dashboards.yaml`,
    'observability/observability-files.ts',
    dashboardProvider(clusterDashboardsPath),
  );

  for (const name of readdirSync(join(repoRoot, 'prometheus', 'rules')).filter((file) =>
    file.endsWith('.yml'),
  )) {
    files.set(
      `${clusterDir}/prometheus/rules/${name}`,
      readFileSync(join(repoRoot, 'prometheus', 'rules', name), 'utf8'),
    );
  }
  files.set(
    `${clusterDir}/otel-collector/collector.yaml`,
    readFileSync(join(repoRoot, 'otel', 'collector.yaml'), 'utf8'),
  );
  return files;
}
