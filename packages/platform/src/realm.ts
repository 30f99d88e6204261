import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Environment, repoRoot, secret } from './environment.js';

interface RealmPart {
  clients?: unknown[];
  users?: unknown[];
  scopeMappings?: unknown[];
  [key: string]: unknown;
}

/**
 * Renders keycloak/realm.json for one environment. Placeholders use Keycloak's own
 * `${VARIABLE}` syntax, so the same file also works with `kc.sh start --import-realm`
 * in a cluster where the variables come from the pod's environment.
 * Dev additions (test clients, dev users) are merged only when `dev` is set.
 */
export function renderRealm(
  env: Environment,
  secrets: Record<string, string>,
  options: { dev: boolean },
): RealmPart {
  const values: Record<string, string> = {
    PLATFORM_REALM: env.realm,
    PLATFORM_API_AUDIENCE: env.apiAudience,
    PLATFORM_BROWSER_ORIGIN: env.browserOrigin,
    PLATFORM_AUTH_SERVICE_TOKEN_LIFESPAN: String(env.keycloak.authServiceTokenLifespanSeconds),
    PLATFORM_SMTP_HOST: env.smtp.host,
    PLATFORM_SMTP_PORT: String(env.smtp.port),
    PLATFORM_SMTP_FROM: env.smtp.from,
  };
  const lookup = (name: string) => values[name] ?? secret(secrets, name);
  const realm = load('realm.json', lookup);
  if (!options.dev) return realm;
  const dev = load(join('dev', 'realm-dev.json'), lookup);
  return {
    ...realm,
    clients: [...(realm.clients ?? []), ...(dev.clients ?? [])],
    users: [...(realm.users ?? []), ...(dev.users ?? [])],
    scopeMappings: [...(realm.scopeMappings ?? []), ...(dev.scopeMappings ?? [])],
  };
}

function load(file: string, lookup: (name: string) => string): RealmPart {
  const text = readFileSync(join(repoRoot, 'keycloak', file), 'utf8');
  // Keycloak's own placeholders such as ${client_id} (lower case) are left alone.
  const rendered = text.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_, name: string) =>
    JSON.stringify(lookup(name)).slice(1, -1),
  );
  return JSON.parse(rendered) as RealmPart;
}
