/**
 * The files the Kubernetes manifests and the mesh take from other sources (part of `npm run
 * render`), because kustomize reads files only from inside each kustomization's own folder:
 *
 * - each service's ConfigMap values (k8s/base/services/<service>/config.env) and the dev Secrets
 *   (k8s/overlays/dev/secrets/), from environments/cluster.yaml, the topology and .env.example;
 * - the realm the dev cluster's Keycloak imports (realm as code + dev additions, secrets left as
 *   Keycloak `${NAME}` placeholders) and Keycloak's settings;
 * - the prod ExternalSecrets (which keys each Secret holds);
 * - the public entry: an Istio ingress Gateway (TLS) and the VirtualService to Tyk, for the edge's
 *   public host;
 * - the mesh's RequestAuthentications and JWT AuthorizationPolicies (from the access map).
 *
 * The files are committed; packages/platform/test/rendered-files.test.ts fails when one differs
 * from a fresh render.
 */
import { stringify } from 'yaml';
import { type Environment, serviceNames } from '../environment.js';
import { loadAccessMap } from '../access-map.js';
import type { AccessMap } from '../access-map-schema.js';
import {
  clusterEnvironment,
  clusterRealm,
  devSecretValues,
  fillSecrets,
  keycloakVariables,
  namespace,
  secretName,
  serviceVariables,
} from './cluster-config.js';
import { databaseOwners, workloadName } from '../topology.js';
import { jwtAuthorizationPolicies, requestAuthentications } from './mesh-policies.js';
import { formatted, renderedHeader as header } from '../rendered-file.js';

type Variables = Record<string, string>;

const devOverlay = 'k8s/overlays/dev';
/** Folders written whole by the render: a file no longer rendered goes. */
export const renderedFolders = [`${devOverlay}/secrets`];

function envFile(source: string, variables: Variables): string {
  return `${header(source)}${Object.entries(variables)
    .map(([name, value]) => {
      if (/[\n\r]/.test(value)) throw new Error(`${name}: a value in an env file cannot span lines`);
      return `${name}=${value}`;
    })
    .join('\n')}\n`;
}

function filled(variables: Variables, values: Variables): Variables {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, fillSecrets(value, values)]),
  );
}

function yamlDocuments(source: string, documents: unknown[]): string {
  return `${header(source)}${documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n')}`;
}

/** The TLS certificate of the public host, a Secret in the ingress gateway's namespace. */
export const publicTlsSecret = 'platform-api-tls';
const tykWorkload = 'tyk-gateway';

/**
 * Outside traffic enters through Istio's ingress gateway (TLS ends there, plain HTTP is redirected)
 * and goes only to Tyk, over the mesh as the gateway's own identity (mesh/edge-ingress-authorization.yaml).
 */
function publicEntry(env: Environment, map: AccessMap): unknown[] {
  const host = new URL(env.edge.publicUrl).hostname;
  return [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'public', namespace },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [
          {
            port: { number: 443, name: 'https', protocol: 'HTTPS' },
            hosts: [host],
            tls: { mode: 'SIMPLE', credentialName: publicTlsSecret, minProtocolVersion: 'TLSV1_2' },
          },
          {
            port: { number: 80, name: 'http', protocol: 'HTTP' },
            hosts: [host],
            tls: { httpsRedirect: true },
          },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'public-api', namespace },
      spec: {
        hosts: [host],
        gateways: ['public'],
        http: [
          {
            name: 'tyk',
            // Tyk decides: it retries nothing, and answers a slow upstream itself (504) before this.
            retries: { attempts: 0 },
            timeout: `${map.limits.upstreamTimeoutSeconds + 5}s`,
            route: [
              {
                destination: {
                  host: `${tykWorkload}.${namespace}.svc.cluster.local`,
                  port: { number: env.edge.port },
                },
              },
            ],
          },
        ],
      },
    },
  ];
}

/** ExternalSecrets for prod: each Secret a workload reads, key by key, from the cluster's secret store. */
function externalSecrets(): unknown[] {
  const secrets: [string, string[]][] = serviceNames.map((service) => [
    secretName(service),
    Object.keys(serviceVariables(service).secret),
  ]);
  secrets.push(['tyk-gateway-secrets', ['TYK_GW_SECRET']]);
  return secrets.map(([name, keys]) => ({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'platform-secrets' },
      target: { name, creationPolicy: 'Owner' },
      data: keys.map((key) => ({ secretKey: key, remoteRef: { key: `platform/${name}`, property: key } })),
    },
  }));
}

/** Every rendered file, keyed by its path from the repository root. */
export async function renderDeployFiles(): Promise<Map<string, string>> {
  const env = clusterEnvironment();
  const dev = devSecretValues();
  const files = new Map<string, string>();
  const cluster = 'environments/cluster.yaml';

  for (const service of serviceNames) {
    const { config, secret } = serviceVariables(service, env);
    files.set(`k8s/base/services/${service}/config.env`, envFile(`${cluster} and the topology`, config));
    files.set(
      `${devOverlay}/secrets/${workloadName(service)}.env`,
      envFile(`.env.example (development values only)`, filled(secret, dev)),
    );
  }

  const keycloak = keycloakVariables(env);
  files.set(`${devOverlay}/keycloak/keycloak.env`, envFile(cluster, keycloak.config));
  files.set(
    `${devOverlay}/secrets/keycloak.env`,
    envFile('.env.example (development values only)', filled(keycloak.secret, dev)),
  );
  files.set(
    `${devOverlay}/keycloak/realm.json`,
    await formatted(`${devOverlay}/keycloak/realm.json`, JSON.stringify(clusterRealm(env)), 'json'),
  );

  const postgres: Variables = { POSTGRES_PASSWORD: 'SECRET--POSTGRES_SUPERUSER_PASSWORD--SECRET' };
  for (const owner of databaseOwners)
    postgres[owner.passwordVariable] = `SECRET--${owner.passwordVariable}--SECRET`;
  files.set(
    `${devOverlay}/secrets/postgres.env`,
    envFile('.env.example (development values only)', filled(postgres, dev)),
  );
  files.set(
    `${devOverlay}/secrets/rabbitmq.env`,
    envFile(
      '.env.example (development values only)',
      filled(
        {
          RABBITMQ_DEFAULT_USER: 'SECRET--RABBITMQ_USER--SECRET',
          RABBITMQ_DEFAULT_PASS: 'SECRET--RABBITMQ_PASSWORD--SECRET',
        },
        dev,
      ),
    ),
  );
  files.set(
    `${devOverlay}/secrets/tyk-gateway.env`,
    envFile(
      '.env.example (development values only)',
      filled({ TYK_GW_SECRET: 'SECRET--TYK_GATEWAY_SECRET--SECRET' }, dev),
    ),
  );

  files.set(
    'k8s/overlays/prod/external-secrets.yaml',
    await formatted(
      'k8s/overlays/prod/external-secrets.yaml',
      yamlDocuments(
        'the Secrets the workloads read (packages/platform/src/cluster/deploy-files.ts)',
        externalSecrets(),
      ),
      'yaml',
    ),
  );

  files.set(
    'k8s/components/tyk-gateway/public-entry.yaml',
    await formatted(
      'k8s/components/tyk-gateway/public-entry.yaml',
      yamlDocuments(`${cluster} and edge/access-map.yaml`, publicEntry(env, loadAccessMap())),
      'yaml',
    ),
  );

  const map = loadAccessMap();
  files.set(
    'mesh/jwt-authentication.yaml',
    await formatted(
      'mesh/jwt-authentication.yaml',
      yamlDocuments(cluster, requestAuthentications(env)),
      'yaml',
    ),
  );
  files.set(
    'mesh/jwt-authorization.yaml',
    await formatted(
      'mesh/jwt-authorization.yaml',
      yamlDocuments(
        `edge/access-map.yaml, ${cluster} and the user service's routes`,
        jwtAuthorizationPolicies(map, env),
      ),
      'yaml',
    ),
  );
  return files;
}
