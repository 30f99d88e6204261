/**
 * Each service's workload in k8s/base/services/<service>/, from one template (k8s/service-template/)
 * and the topology: adding a service to the topology adds its Deployment, Service, ServiceAccount,
 * autoscaler and disruption budget, the same as every other service's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../environment.js';
import { renderedHeader } from '../rendered-file.js';
import { serviceNames, workloadName } from '../topology.js';

export const serviceTemplateDir = 'k8s/service-template';
export const servicesBaseDir = 'k8s/base/services';

export function renderServiceWorkloads(): Map<string, string> {
  const files = new Map<string, string>();
  const templates = readdirSync(join(repoRoot, serviceTemplateDir)).filter((name) => name.endsWith('.yaml'));
  for (const service of serviceNames) {
    for (const template of templates) {
      const text = readFileSync(join(repoRoot, serviceTemplateDir, template), 'utf8');
      files.set(
        `${servicesBaseDir}/${service}/${template}`,
        `${renderedHeader(`${serviceTemplateDir}/${template}, for ${workloadName(service)}`)}${text.replaceAll('${WORKLOAD}', workloadName(service))}`,
      );
    }
  }
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: serviceNames.map((service) => service),
  };
  files.set(
    `${servicesBaseDir}/kustomization.yaml`,
    `${renderedHeader('the topology (packages/platform/src/topology.ts)')}${stringify(kustomization)}`,
  );
  return files;
}
