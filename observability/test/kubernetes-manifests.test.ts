/**
 * The cluster's observability (k8s/observability) renders with kustomize, every object passes its
 * schema and strict decoding, and the pieces agree with each other and with the rest of the
 * platform: the addresses environments/cluster.yaml gives the services and Tyk, the identity the
 * mesh admits to the management ports, the ports the scrape configuration keeps, every dashboard
 * and rule file, and a collector configuration the collector itself accepts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { loadEnvironment, repoRoot } from '@platform/platform/environment';
import { ensureOtelCollector } from '@platform/dev/tools/otel-collector';
import { ruleFiles } from '@platform/platform/observability-files';
import { meshBaselineProblems, principalProblems } from '../../deploy/checks.js';
import {
  istioValidationProblems,
  kustomizeBuild,
  parseObjects,
  renderOverlay,
  schemaProblems,
  strictDecodingProblems,
  type KubeObject,
} from '../../deploy/manifests.js';
import { externalPrincipals } from '@platform/platform/cluster/mesh-policies';

const cluster = loadEnvironment('cluster');
const scratch = mkdtempSync(join(tmpdir(), 'observability-k8s-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name: string; containerPort: number }[];
}

let yaml = '';
let objects: KubeObject[] = [];
const find = (kind: string, name: string) => {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (!object) throw new Error(`${kind}/${name} is not in the render`);
  return object as KubeObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const configMap = (prefix: string) =>
  objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith(`${prefix}-`)) as
    (KubeObject & { data: Record<string, string> }) | undefined;
const containerOf = (deployment: string): Container =>
  find('Deployment', deployment).spec.template.spec.containers[0];

beforeAll(() => {
  yaml = kustomizeBuild('k8s/observability');
  objects = parseObjects(yaml);
}, 30 * 60_000);

describe('the cluster’s observability (k8s/observability)', () => {
  it('when kustomize renders it, then Prometheus, Grafana and the collector run in namespace monitoring', () => {
    for (const name of ['prometheus', 'grafana', 'otel-collector']) {
      expect(find('Deployment', name).metadata.namespace).toBe('monitoring');
      expect(find('Service', name).metadata.namespace).toBe('monitoring');
    }
  });

  it('when each object is checked against its schema and decoded strictly, then all pass', () => {
    expect(objects.flatMap(schemaProblems)).toEqual([]);
    expect(strictDecodingProblems(yaml)).toEqual([]);
  });

  it('when istioctl validates the render, then Istio accepts every object without a warning', () => {
    const file = join(scratch, 'observability.yaml');
    writeFileSync(file, yaml);
    expect(istioValidationProblems(file)).toEqual([]);
  });

  it('when the namespace joins the mesh, then sidecars, STRICT mTLS, a default deny and allows naming identities', () => {
    expect(meshBaselineProblems(objects, 'monitoring')).toEqual([]);
    // The collector's callers are the platform's workloads: their ServiceAccounts come from an overlay.
    const platform = parseObjects(kustomizeBuild('k8s/overlays/prod'));
    expect(principalProblems([...objects, ...platform], externalPrincipals)).toEqual([]);
  });

  it('when Grafana starts, then only signed-in users see it, with the admin password from a Secret', () => {
    const env = Object.fromEntries(
      (containerOf('grafana').env ?? []).map(({ name, value, valueFrom }) => [name, value ?? valueFrom]),
    );
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toEqual({
      secretKeyRef: { name: 'grafana-admin', key: 'admin-password' },
    });
  });

  it('when the services and Tyk send traces to environments/cluster.yaml’s collector, then that Service is there with those ports', () => {
    const { host, otlpGrpcPort, otlpHttpPort, metricsPort } = cluster.otelCollector;
    const service = find('Service', 'otel-collector');
    expect(host).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`);
    const ports = (service.spec.ports as { port: number }[]).map((port) => port.port);
    expect(ports).toEqual(expect.arrayContaining([otlpGrpcPort, otlpHttpPort, metricsPort]));
  });

  it('when Grafana reads environments/cluster.yaml’s Prometheus, then that Service is there on that port', () => {
    const service = find('Service', 'prometheus');
    expect(cluster.prometheus.host).toBe(
      `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`,
    );
    expect((service.spec.ports as { port: number }[]).map((port) => port.port)).toContain(
      cluster.prometheus.port,
    );
    const datasources = parse(configMap('grafana-provisioning-datasources')!.data['datasources.yaml']!) as {
      datasources: { url: string }[];
    };
    expect(datasources.datasources[0]!.url).toBe(
      `http://${cluster.prometheus.host}:${cluster.prometheus.port}`,
    );
  });

  it('when Prometheus scrapes the management ports, then it does so as the identity the mesh admits', () => {
    const deployment = find('Deployment', 'prometheus');
    const identity = `cluster.local/ns/${deployment.metadata.namespace}/sa/${deployment.spec.template.spec.serviceAccountName}`;
    const policy = readFileSync(join(repoRoot, 'mesh', 'observability-authorization.yaml'), 'utf8');
    expect(policy).toContain(`'${identity}'`);
  });

  it('when the scrape configuration keeps the http-mgmt ports, then the services and Keycloak of the dev overlay name theirs so', () => {
    const services = renderOverlay('dev').objects.filter(
      (object) => object.kind === 'Service',
    ) as (KubeObject & {
      spec: { ports: { name: string }[] };
    })[];
    const withManagementPort = services
      .filter((service) => service.spec.ports.some((port) => port.name === 'http-mgmt'))
      .map((service) => service.metadata.name);
    expect(withManagementPort).toEqual(
      expect.arrayContaining(['auth-service', 'user-service', 'billing-service', 'keycloak']),
    );
    const scraped = services.filter(
      (service) => service.metadata.labels?.['app.kubernetes.io/component'] === 'service',
    );
    expect(scraped.map((service) => service.metadata.name).sort()).toEqual([
      'auth-service',
      'billing-service',
      'user-service',
    ]);
  });

  it('when Grafana and Prometheus load their ConfigMaps, then every dashboard and every rule file is in them', () => {
    const dashboards = readdirSync(join(repoRoot, 'grafana', 'dashboards'))
      .filter((name) => name.endsWith('.json'))
      .sort();
    expect(Object.keys(configMap('grafana-dashboards')!.data).sort()).toEqual(dashboards);
    expect(Object.keys(configMap('prometheus-rules')!.data).sort()).toEqual(ruleFiles());
  });

  it('when promtool checks the cluster’s Prometheus configuration, then it is valid (discovery swapped for static targets)', () => {
    // Debian's promtool is built without Kubernetes discovery; everything else is checked as is.
    const config = parse(configMap('prometheus-config')!.data['prometheus.yml']!) as {
      rule_files: string[];
      scrape_configs: Record<string, unknown>[];
    };
    for (const file of ['root-cert.pem', 'cert-chain.pem', 'key.pem']) writeFileSync(join(scratch, file), '');
    for (const job of config.scrape_configs) {
      if (job.kubernetes_sd_configs) {
        delete job.kubernetes_sd_configs;
        job.static_configs = [{ targets: ['127.0.0.1:9'] }];
      }
      const tls = job.tls_config as Record<string, string> | undefined;
      if (tls)
        for (const key of ['ca_file', 'cert_file', 'key_file'])
          tls[key] = join(scratch, tls[key]!.split('/').pop()!);
    }
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    config.rule_files = [join(repoRoot, 'prometheus', 'rules', '*.yml')];
    writeFileSync(join(scratch, 'prometheus.yml'), stringify(config));
    const result = spawnSync('promtool', ['check', 'config', join(scratch, 'prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/FAILED/);
    expect(result.status).toBe(0);
  });

  it(
    'when the collector validates its cluster configuration with the Deployment’s environment, then it is accepted',
    async () => {
      const binary = await ensureOtelCollector();
      const container = containerOf('otel-collector');
      const data = configMap('otel-collector-config')!.data;
      const args = (container.args ?? []).flatMap((arg) => {
        const file = arg.replace('--config=/etc/otelcol/', '');
        writeFileSync(join(scratch, file), data[file]!);
        return ['--config', join(scratch, file)];
      });
      const env = Object.fromEntries((container.env ?? []).map(({ name, value }) => [name, value]));
      const result = spawnSync(binary, ['validate', ...args], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
      expect(`${result.stdout}${result.stderr}`).toBe('');
      expect(result.status).toBe(0);
      expect(parseAllDocuments(data['collector.cluster.yaml']!).length).toBe(1);
    },
    30 * 60_000,
  );
});
