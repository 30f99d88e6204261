import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root, wherever it is checked out. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export type ServiceName = 'auth' | 'user' | 'billing';
export const serviceNames: readonly ServiceName[] = ['auth', 'user', 'billing'];

export interface ServiceEndpoint {
  host: string;
  port: number;
  managementPort: number;
}

/** One target's environment-specific values (environments/<name>.yaml). */
export interface Environment {
  name: string;
  realm: string;
  apiAudience: string;
  browserOrigin: string;
  keycloak: {
    publicUrl: string;
    internalUrl: string;
    port: number;
    managementPort: number;
    authServiceTokenLifespanSeconds: number;
  };
  postgres: { host: string; port: number };
  rabbitmq: { host: string; port: number; distPort: number; epmdPort: number };
  redis: { host: string; port: number };
  smtp: { host: string; port: number; from: string };
  /** The development SMTP sink; only the local stack has one. */
  smtpSink?: { httpPort: number };
  services: Record<ServiceName, ServiceEndpoint>;
  edge: EdgeEndpoint;
  otelCollector: OtelCollectorEndpoint;
  /** The development trace sink the local collector forwards spans to (dev/trace-sink); local only. */
  traceSink: { httpPort: number };
  prometheus: { host: string; port: number; scrapeIntervalSeconds: number };
}

/** The OpenTelemetry Collector: services and the edge send it traces over OTLP. */
export interface OtelCollectorEndpoint {
  host: string;
  otlpGrpcPort: number;
  otlpHttpPort: number;
  /** The collector's own metrics (Prometheus format), scraped like every other target. */
  metricsPort: number;
}

/** The north-south edge: Envoy in the local stack, Tyk in a cluster (both rendered from edge/access-map.yaml). */
export interface EdgeEndpoint {
  /** What browsers call: the API base URL without the /api/v1 prefix. */
  publicUrl: string;
  /** Interface and port the edge listens on. */
  host: string;
  port: number;
  /** The edge's own administration port (Envoy admin, Tyk control API); never the public port. */
  adminPort: number;
}

export function loadEnvironment(name = 'local'): Environment {
  return parse(readFileSync(join(repoRoot, 'environments', `${name}.yaml`), 'utf8')) as Environment;
}

/** Secrets come from .env when present, otherwise from the committed dev values. */
export function loadSecrets(): Record<string, string> {
  const file = existsSync(join(repoRoot, '.env')) ? '.env' : '.env.example';
  const secrets: Record<string, string> = {};
  for (const line of readFileSync(join(repoRoot, file), 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) secrets[match[1]!] = match[2]!;
  }
  return secrets;
}

export function secret(secrets: Record<string, string>, name: string): string {
  const value = process.env[name] ?? secrets[name];
  if (!value) throw new Error(`${name} is not set (.env or .env.example)`);
  return value;
}

/** Values derived from the environment that several consumers must agree on. */
export function oidcOf(env: Environment) {
  const realmPath = `/realms/${env.realm}`;
  return {
    issuer: `${env.keycloak.publicUrl}${realmPath}`,
    jwksUri: `${env.keycloak.internalUrl}${realmPath}/protocol/openid-connect/certs`,
    tokenUrl: `${env.keycloak.internalUrl}${realmPath}/protocol/openid-connect/token`,
    audience: env.apiAudience,
  };
}

export function postgresUrl(env: Environment, user: string, password: string, database: string): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${env.postgres.host}:${env.postgres.port}/${database}`;
}

export function amqpUrl(env: Environment, secrets: Record<string, string>): string {
  const user = encodeURIComponent(secret(secrets, 'RABBITMQ_USER'));
  const password = encodeURIComponent(secret(secrets, 'RABBITMQ_PASSWORD'));
  return `amqp://${user}:${password}@${env.rabbitmq.host}:${env.rabbitmq.port}`;
}

/** Superuser URL of the stack's PostgreSQL, for the stack and for tests that create throwaway databases. */
export function postgresAdminUrl(
  env: Environment,
  secrets: Record<string, string>,
  database = 'postgres',
): string {
  return postgresUrl(env, 'postgres', secret(secrets, 'POSTGRES_SUPERUSER_PASSWORD'), database);
}
