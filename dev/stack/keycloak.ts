import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Environment, repoRoot, secret } from '@platform/platform/environment';
import { keycloakSettings } from '@platform/platform/keycloak-settings';
import { renderRealm } from '@platform/platform/realm';
import { cacheDir, logFile, pidFile, stateDir } from './paths.js';
import {
  httpOk,
  isAlive,
  readPid,
  runOrFail,
  startDetached,
  StepError,
  stopPidFile,
  waitFor,
} from './processes.js';

const versions = JSON.parse(readFileSync(join(repoRoot, 'dev', 'versions.json'), 'utf8')) as {
  keycloak: string;
};
const home = join(cacheDir, `keycloak-${versions.keycloak}`);
const pid = pidFile('keycloak');
const log = logFile('keycloak');
const realmHashFile = join(stateDir, 'realm.sha256');

/** Fetches the Keycloak distribution from Maven Central once; later runs reuse the cache. */
export async function ensureKeycloakDistribution(): Promise<string> {
  if (existsSync(join(home, 'bin', 'kc.sh'))) return `${versions.keycloak} cached`;
  const downloads = join(cacheDir, 'downloads');
  const zip = join(downloads, `keycloak-quarkus-dist-${versions.keycloak}.zip`);
  mkdirSync(downloads, { recursive: true });
  if (!existsSync(zip)) {
    await runOrFail('mvn', [
      '-q',
      '-B',
      'dependency:copy',
      `-Dartifact=org.keycloak:keycloak-quarkus-dist:${versions.keycloak}:zip`,
      `-DoutputDirectory=${downloads}`,
    ]);
  }
  const unpack = join(cacheDir, `keycloak-${versions.keycloak}.unpacking`);
  await runOrFail('rm', ['-rf', unpack]);
  await runOrFail('unzip', ['-q', zip, '-d', unpack]);
  // The zip holds one folder, keycloak-<version>; move it into place in one step.
  await runOrFail('mv', [join(unpack, `keycloak-${versions.keycloak}`), home]);
  await runOrFail('rm', ['-rf', unpack]);
  return `${versions.keycloak} downloaded`;
}

export function keycloakPid(): number | undefined {
  return readPid(pid);
}

function keycloakEnv(env: Environment, secrets: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...keycloakSettings(env),
    KC_HTTP_HOST: new URL(env.keycloak.internalUrl).hostname,
    KC_DB_PASSWORD: secret(secrets, 'KEYCLOAK_DB_PASSWORD'),
    KC_BOOTSTRAP_ADMIN_USERNAME: secret(secrets, 'KEYCLOAK_ADMIN_USERNAME'),
    KC_BOOTSTRAP_ADMIN_PASSWORD: secret(secrets, 'KEYCLOAK_ADMIN_PASSWORD'),
  };
}

const readyUrl = (env: Environment) =>
  `http://${new URL(env.keycloak.internalUrl).hostname}:${env.keycloak.managementPort}/health/ready`;

export async function startKeycloak(env: Environment, secrets: Record<string, string>): Promise<string> {
  let verb = 'running';
  if (!isAlive(keycloakPid())) {
    const launcher = startDetached(join(home, 'bin', 'kc.sh'), ['start-dev'], {
      log,
      pidFile: pid,
      env: keycloakEnv(env, secrets),
      cwd: home,
    });
    await waitFor('keycloak health', () => httpOk(readyUrl(env)), {
      timeoutMs: 180_000,
      intervalMs: 1000,
      log,
      alive: () => isAlive(launcher),
    });
    verb = 'started';
  } else {
    await waitFor('keycloak health', () => httpOk(readyUrl(env)), {
      timeoutMs: 180_000,
      intervalMs: 1000,
      log,
    });
  }
  const realm = await importRealm(env, secrets);
  return `${verb} on ${env.keycloak.internalUrl} (realm ${env.realm} ${realm})`;
}

export function stopKeycloak(): Promise<boolean> {
  return stopPidFile(pid, 30_000);
}

/**
 * Keycloak's --import-realm never overwrites an existing realm, so a changed realm file
 * would silently not apply. The stack instead (re)creates the realm through the Admin API
 * whenever the rendered realm differs from the one last imported.
 */
async function importRealm(env: Environment, secrets: Record<string, string>): Promise<string> {
  const realm = renderRealm(env, secrets, { dev: true });
  const body = JSON.stringify(realm);
  const hash = createHash('sha256').update(body).digest('hex');
  const token = await masterAdminToken(env, secrets);
  const base = `${env.keycloak.internalUrl}/admin/realms`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const existing = await fetch(`${base}/${env.realm}`, { headers });
  const lastHash = existsSync(realmHashFile) ? readFileSync(realmHashFile, 'utf8').trim() : '';
  if (existing.ok && lastHash === hash) return 'up to date';
  if (existing.ok) {
    const removed = await fetch(`${base}/${env.realm}`, { method: 'DELETE', headers });
    if (!removed.ok) throw new StepError(`deleting the old realm failed: ${removed.status}`, log);
  }
  const created = await fetch(base, { method: 'POST', headers, body });
  if (created.status !== 201) {
    throw new StepError(`realm import failed: ${created.status} ${await created.text()}`, log);
  }
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(realmHashFile, `${hash}\n`);
  return existing.ok ? 're-imported' : 'imported';
}

/** An access token of the master realm's bootstrap administrator (a real master-realm token). */
export async function masterAdminToken(env: Environment, secrets: Record<string, string>): Promise<string> {
  const response = await fetch(`${env.keycloak.internalUrl}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: secret(secrets, 'KEYCLOAK_ADMIN_USERNAME'),
      password: secret(secrets, 'KEYCLOAK_ADMIN_PASSWORD'),
    }),
  });
  if (!response.ok) throw new StepError(`keycloak admin login failed: ${response.status}`, log);
  return ((await response.json()) as { access_token: string }).access_token;
}
