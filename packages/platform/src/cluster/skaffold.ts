/**
 * skaffold.yaml, from the topology: one artifact per service, all built from services/Dockerfile
 * with the service as a build argument, and the dev profile's sync rules for each.
 */
import { stringify } from 'yaml';
import { serviceNames, workloadName, type ServiceName } from '../topology.js';

const usage = `# Builds the service images and deploys them with kustomize (see the README's deploy section).
#
#   skaffold dev              the dev profile: dev overlay (infrastructure in the cluster) and mesh,
#                             images with \`tsx watch\`, edited TypeScript synced into the containers,
#                             Tyk on localhost:8080 and Keycloak on localhost:8180
#   skaffold run              the production images on the dev overlay
#   skaffold run -p prod      the production images on the prod overlay (managed infrastructure)
#
# Images are built from the repository root (workspace packages in reach) with one Dockerfile;
# .dockerignore keeps the context to what a build reads. Image names are the Deployments' own,
# unqualified: skaffold replaces them with what it built (\`--default-repo\` for a remote cluster's
# registry). In the dev profile a service's migrations are not synced: a new one rebuilds the image,
# so the pod restarts and its migrate init container applies it (a new kit migration needs a
# rollout restart).
`;

function artifact(service: ServiceName, target: 'runtime' | 'dev') {
  return {
    image: workloadName(service),
    context: '.',
    docker: { dockerfile: 'services/Dockerfile', target, buildArgs: { SERVICE: service } },
  };
}

function syncRules(service: ServiceName) {
  const src = `services/${service}/src`;
  return [
    `${src}/*.ts`,
    `${src}/http/**/*.ts`,
    `${src}/domain/**/*.ts`,
    `${src}/events/**/*.ts`,
    `${src}/data/*.ts`,
    'packages/kit/src/**/*.ts',
    'packages/contracts/src/**/*.ts',
  ].map((glob) => ({ src: glob, dest: '/app' }));
}

export function renderSkaffold(header: string): string {
  const config = {
    apiVersion: 'skaffold/v4beta13',
    kind: 'Config',
    metadata: { name: 'platform' },
    build: {
      local: { useBuildkit: true },
      artifacts: serviceNames.map((service) => artifact(service, 'runtime')),
    },
    manifests: { kustomize: { paths: ['k8s/overlays/dev', 'k8s/observability'] } },
    // Keycloak's first start (database schema, realm import) takes a few minutes on a laptop.
    deploy: { kubectl: {}, statusCheckDeadlineSeconds: 900 },
    profiles: [
      {
        name: 'dev',
        activation: [{ command: 'dev' }],
        build: {
          local: { useBuildkit: true },
          artifacts: serviceNames.map((service) => ({
            ...artifact(service, 'dev'),
            sync: { manual: syncRules(service) },
          })),
        },
        portForward: [
          {
            resourceType: 'service',
            resourceName: 'tyk-gateway',
            namespace: 'platform',
            port: 8080,
            localPort: 8080,
          },
          {
            resourceType: 'service',
            resourceName: 'keycloak',
            namespace: 'platform',
            port: 8080,
            localPort: 8180,
          },
        ],
      },
      { name: 'prod', manifests: { kustomize: { paths: ['k8s/overlays/prod'] } } },
    ],
  };
  return `${header}${usage}${stringify(config, { lineWidth: 0 })}`;
}
