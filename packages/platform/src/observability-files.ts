/**
 * The observability files rendered from their sources (`npm run render`):
 *
 * - grafana/dashboards/*.json: the dashboards as code (grafana/ in this package), as Grafana provisions them,
 *   with the kustomization that makes them the cluster's ConfigMap;
 * - prometheus/rules/kustomization.yaml: the rules' ConfigMap for the cluster;
 * - grafana/provisioning/: the local Grafana's data source (environments/local.yaml) and dashboards;
 * - k8s/observability/grafana/provisioning/: Grafana's provisioning for the cluster
 *   (environments/cluster.yaml).
 *
 * Each source file exists once: k8s/observability includes the kustomizations beside the files.
 *
 * The files are committed; packages/platform/test/rendered-files.test.ts fails when one differs from a
 * fresh render.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type Environment, loadEnvironment, repoRoot } from './environment.js';
import { platformDashboards } from './grafana/dashboards.js';
import { formatted, renderedHeader as header } from './rendered-file.js';

export const dashboardsDir = 'grafana/dashboards';
const localProvisioning = 'grafana/provisioning';
export const clusterDir = 'k8s/observability';
/** Folders written whole by the render: a file no longer rendered goes. */
export const renderedFolders = [dashboardsDir, localProvisioning];
/** Where the cluster's Grafana finds the dashboards (the dashboards ConfigMap's mount). */
export const clusterDashboardsPath = '/var/lib/grafana/dashboards/platform';

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
        // Dashboards are code: changes go through grafana/ in the platform package, not the UI.
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path },
      },
    ],
  };
}

/** The alerting and recording rules (prometheus/rules/*.yml), as Prometheus globs them. */
export function ruleFiles(): string[] {
  return readdirSync(join(repoRoot, 'prometheus', 'rules'))
    .filter((name) => name.endsWith('.yml'))
    .sort();
}

/** A kustomization making the files beside it one ConfigMap, each file a key. */
function configMapKustomization(name: string, files: string[]): unknown {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    configMapGenerator: [{ name, files: [...files].sort() }],
  };
}

export async function renderObservabilityFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const yamlFile = async (path: string, source: string, document: unknown) =>
    files.set(
      path,
      await formatted(path, `${header(source)}${stringify(document, { lineWidth: 0 })}`, 'yaml'),
    );

  const dashboards = platformDashboards();
  for (const [name, dashboard] of dashboards) {
    const json = await formatted(`${dashboardsDir}/${name}`, JSON.stringify(dashboard), 'json');
    files.set(`${dashboardsDir}/${name}`, json);
  }
  await yamlFile(
    `${dashboardsDir}/kustomization.yaml`,
    'the dashboards beside this file',
    configMapKustomization('grafana-dashboards', [...dashboards.keys()]),
  );

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

  await yamlFile(
    'prometheus/rules/kustomization.yaml',
    'the rule files beside this file',
    configMapKustomization('prometheus-rules', ruleFiles()),
  );
  return files;
}
