import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type Environment, localOnly, repoRoot, serviceNames } from '@platform/platform/environment';
import { containerPorts, prometheusIdentity } from '@platform/platform/topology';
import { certificateDir, certificateFiles } from '@platform/platform/mesh/workload-certificates';
import { dataDir, logFile, pidFile, stackDir, stateDir } from './paths.js';
import { httpOk, isAlive, readPid, startDetached, StepError, stopPidFile, waitFor } from './processes.js';

const pid = pidFile('prometheus');
const log = logFile('prometheus');
const hashFile = join(stateDir, 'prometheus.sha256');
const configFile = join(stackDir, 'prometheus', 'prometheus.yml');
/** Alerting and recording rules, shared with the cluster's Prometheus. */
export const rulesDir = join(repoRoot, 'prometheus', 'rules');

export function prometheusPid(): number | undefined {
  return readPid(pid);
}

export const prometheusUrl = (env: Environment) => `http://${env.prometheus.host}:${env.prometheus.port}`;

type Target = {
  job: string;
  service: string;
  address: string;
  path?: string;
  honorLabels?: boolean;
  /** Scraped through the mesh: mutual TLS with Prometheus's own identity. */
  meshTls?: boolean;
};

/** The local mesh, when on: where the certificates are. */
export interface PrometheusMesh {
  certsRoot: string;
}

/**
 * Every metrics endpoint of the local stack, from the environment source. Each target carries a
 * `service` label; the services label their own series with the same value, so for them the
 * scraped label is kept (honor_labels) instead of being renamed exported_service.
 */
export function scrapeTargets(env: Environment, mesh?: PrometheusMesh): Target[] {
  const local = (port: number) => `127.0.0.1:${port}`;
  // In the mesh, a management port is the pod's, behind its sidecar, as in the cluster.
  const serviceAddress = (name: (typeof serviceNames)[number]) =>
    mesh
      ? `${localOnly(env.mesh, 'mesh', env).pods[name]}:${containerPorts.management}`
      : `${env.services[name].host}:${env.services[name].managementPort}`;
  return [
    ...serviceNames.map((name) => ({
      job: 'services',
      service: `${name}-service`,
      address: serviceAddress(name),
      honorLabels: true,
      meshTls: Boolean(mesh),
    })),
    {
      job: 'keycloak',
      service: 'keycloak',
      address: `${new URL(env.keycloak.internalUrl).hostname}:${env.keycloak.managementPort}`,
    },
    // Envoy's admin interface listens on loopback only.
    { job: 'edge', service: 'edge', address: local(env.edge.adminPort), path: '/stats/prometheus' },
    {
      job: 'otel-collector',
      service: 'otel-collector',
      address: `${env.otelCollector.host}:${env.otelCollector.metricsPort}`,
    },
    { job: 'prometheus', service: 'prometheus', address: `${env.prometheus.host}:${env.prometheus.port}` },
  ];
}

export function renderPrometheusConfig(env: Environment, mesh?: PrometheusMesh): Record<string, unknown> {
  const interval = `${env.prometheus.scrapeIntervalSeconds}s`;
  const jobs = new Map<string, Target[]>();
  for (const target of scrapeTargets(env, mesh))
    jobs.set(target.job, [...(jobs.get(target.job) ?? []), target]);
  return {
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      external_labels: { environment: env.name },
    },
    rule_files: [join(rulesDir, '*.yml')],
    scrape_configs: [...jobs].map(([job, targets]) => ({
      job_name: job,
      metrics_path: targets[0]!.path ?? '/metrics',
      ...(targets[0]!.honorLabels ? { honor_labels: true } : {}),
      ...(targets[0]!.meshTls && mesh ? meshTlsConfig(mesh) : {}),
      static_configs: targets.map((target) => ({
        targets: [target.address],
        labels: { service: target.service },
      })),
    })),
  };
}

/**
 * Prometheus in the mesh, as Istio's Prometheus integration does it: its own workload certificate
 * (monitoring/prometheus, the identity mesh/observability-authorization.yaml admits) as the client
 * certificate, the mesh's root to trust. Prometheus cannot check a SPIFFE ID (a URI SAN), so like
 * Istio's integration it does not verify the sidecar's name; the sidecar verifies Prometheus.
 */
function meshTlsConfig(mesh: PrometheusMesh): Record<string, unknown> {
  const dir = certificateDir(mesh.certsRoot, prometheusIdentity);
  return {
    scheme: 'https',
    tls_config: {
      ca_file: join(dir, certificateFiles.root),
      cert_file: join(dir, certificateFiles.chain),
      key_file: join(dir, certificateFiles.key),
      insecure_skip_verify: true,
    },
  };
}

/**
 * Starts Prometheus (Debian's package) on the rendered configuration. A changed configuration or
 * rule file is applied by a reload, not a restart, so the collected series stay.
 */
export async function startPrometheus(env: Environment, mesh?: PrometheusMesh): Promise<string> {
  const rendered = stringify(renderPrometheusConfig(env, mesh));
  const rules = readdirSync(rulesDir)
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((name) => readFileSync(join(rulesDir, name), 'utf8'));
  const hash = createHash('sha256').update(rendered).update(rules.join('\n')).digest('hex');
  const base = prometheusUrl(env);
  const address = `${env.prometheus.host}:${env.prometheus.port}`;
  const unchanged = existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash;
  mkdirSync(join(stackDir, 'prometheus'), { recursive: true });
  writeFileSync(configFile, rendered);
  let outcome: string;
  if (isAlive(prometheusPid())) {
    if (!unchanged) {
      const reload = await fetch(`${base}/-/reload`, { method: 'POST' });
      if (!reload.ok) throw new StepError(`reload refused: ${reload.status} ${await reload.text()}`, log);
    }
    await waitFor('prometheus readiness', () => httpOk(`${base}/-/ready`), { timeoutMs: 15_000, log });
    outcome = `${unchanged ? 'running' : 'reloaded (configuration changed)'} on ${address}`;
  } else {
    const storage = join(dataDir, 'prometheus');
    mkdirSync(storage, { recursive: true });
    const child = startDetached(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${storage}`,
        // Local data only serves the last few test runs.
        '--storage.tsdb.retention.time=2d',
        `--web.listen-address=${address}`,
        // /-/reload applies a changed configuration without losing the collected series.
        '--web.enable-lifecycle',
        '--log.level=warn',
      ],
      { log, pidFile: pid },
    );
    await waitFor('prometheus readiness', () => httpOk(`${base}/-/ready`), {
      timeoutMs: 30_000,
      intervalMs: 200,
      log,
      alive: () => isAlive(child),
    });
    outcome = `started on ${address}`;
  }
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(hashFile, `${hash}\n`);
  return outcome;
}

export function stopPrometheus(): Promise<boolean> {
  return stopPidFile(pid);
}
