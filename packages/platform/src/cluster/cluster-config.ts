/**
 * What the Kubernetes manifests take from the environment source (environments/cluster.yaml), the
 * realm as code and the local stack's renderers, so the cluster runs with the same variables, realm
 * and secrets as the local stack, only with in-cluster hosts. Secret values never enter a render
 * for the base: each is carried as a marker naming the secret, then filled in only for dev.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Environment, loadEnvironment, repoRoot } from '../environment.js';
import { containerPorts, namespace, type ServiceName, workloadName } from '../topology.js';
import { keycloakSettings } from '../keycloak-settings.js';
import { renderRealm } from '../realm.js';
import { serviceEnv } from '../service-env.js';

/** Declared in the topology (the local mesh's pods use the same ports); re-exported for the cluster renderers. */
export { containerPorts, namespace };

export const configMapName = (service: ServiceName) => `${workloadName(service)}-config`;
export const secretName = (service: ServiceName) => `${workloadName(service)}-secrets`;

export function clusterEnvironment(): Environment {
  return loadEnvironment('cluster');
}

// Only URL-unreserved characters, so a marker survives the percent-encoding of URLs and JSON.
const markerPattern = /SECRET--([A-Z0-9_]+)--SECRET/g;
const marker = (name: string) => `SECRET--${name}--SECRET`;

/**
 * Stands in for the secrets file: every secret the renderers ask for comes back as a marker, so a
 * rendered value that contains one is a secret (and names which).
 */
const secretMarkers: Record<string, string> = new Proxy(
  {},
  { get: (_target, name) => (typeof name === 'string' ? marker(name) : undefined) },
);

/** The names of the secrets a rendered value is made of. */
export function secretsIn(value: string): string[] {
  return [...value.matchAll(markerPattern)].map((match) => match[1]!);
}

/**
 * A rendered value with each secret marker replaced by that secret's value, percent-encoded inside
 * a URL as the renderers encode credentials.
 */
export function fillSecrets(value: string, values: Record<string, string>): string {
  const inUrl = /^[a-z][a-z0-9+.-]*:\/\//.test(value);
  return value.replace(markerPattern, (_, name: string) => {
    const secret = values[name];
    if (secret === undefined) throw new Error(`no value for the secret ${name}`);
    return inUrl ? encodeURIComponent(secret) : secret;
  });
}

export interface ServiceVariables {
  /** Non-secret variables: the service's ConfigMap. */
  config: Record<string, string>;
  /** Variables made of secrets, as marked templates: the service's Secret. */
  secret: Record<string, string>;
}

/**
 * One service's environment in the cluster: the local stack's rendering (service-env.ts) for
 * the cluster's hosts, listening on the container ports on every interface.
 */
export function serviceVariables(
  service: ServiceName,
  env: Environment = clusterEnvironment(),
): ServiceVariables {
  const all = {
    ...serviceEnv(service, env, secretMarkers),
    HOST: '0.0.0.0',
    PORT: String(containerPorts.http),
    MANAGEMENT_PORT: String(containerPorts.management),
  };
  const config: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    (secretsIn(value).length > 0 ? secret : config)[name] = value;
  }
  return { config, secret };
}

/**
 * The realm Keycloak imports in the dev cluster: the realm as code plus its dev additions, with the
 * environment's values filled in and each secret left as Keycloak's own `${NAME}` placeholder,
 * which Keycloak resolves from the pod's environment at import.
 */
export function clusterRealm(env: Environment = clusterEnvironment(), options = { dev: true }) {
  const rendered = JSON.stringify(renderRealm(env, secretMarkers, options));
  return JSON.parse(rendered.replace(markerPattern, (_, name: string) => `\${${name}}`)) as Record<
    string,
    unknown
  >;
}

/** The `${NAME}` placeholders Keycloak must resolve from its environment when importing a realm. */
export function realmPlaceholders(realmJson: string): string[] {
  return [...new Set([...realmJson.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((match) => match[1]!))].sort();
}

/** The dev values of every secret (.env.example: the committed development values, never .env). */
export function devSecretValues(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(join(repoRoot, '.env.example'), 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

/** Keycloak's settings in the dev cluster: the local stack's, over plain HTTP inside the mesh. */
export function keycloakVariables(env: Environment = clusterEnvironment()): ServiceVariables {
  const config = { ...keycloakSettings(env), KC_HTTP_ENABLED: 'true' };
  const secret: Record<string, string> = {
    KC_DB_PASSWORD: marker('KEYCLOAK_DB_PASSWORD'),
    KC_BOOTSTRAP_ADMIN_USERNAME: marker('KEYCLOAK_ADMIN_USERNAME'),
    KC_BOOTSTRAP_ADMIN_PASSWORD: marker('KEYCLOAK_ADMIN_PASSWORD'),
  };
  for (const name of realmPlaceholders(JSON.stringify(clusterRealm(env)))) secret[name] = marker(name);
  return { config, secret };
}

/**
 * What every token must carry and where its keys are, as the Keycloak render defines them: the
 * realm's public issuer (Keycloak's full-URL hostname + the realm name), its key set at the
 * in-cluster URL, and the audience the realm's audience mapper writes.
 */
export function tokenExpectations(env: Environment = clusterEnvironment()) {
  const realm = clusterRealm(env, { dev: false }) as {
    realm: string;
    clientScopes?: { protocolMappers?: { protocolMapper: string; config: Record<string, string> }[] }[];
  };
  const audiences = (realm.clientScopes ?? [])
    .flatMap((scope) => scope.protocolMappers ?? [])
    .filter((mapper) => mapper.protocolMapper === 'oidc-audience-mapper')
    .map((mapper) => mapper.config['included.custom.audience']!);
  if (audiences.length !== 1)
    throw new Error(`the realm has ${audiences.length} audience mappers, expected one`);
  return {
    issuer: `${env.keycloak.publicUrl}/realms/${realm.realm}`,
    jwksUri: `${env.keycloak.internalUrl}/realms/${realm.realm}/protocol/openid-connect/certs`,
    audience: audiences[0]!,
  };
}
