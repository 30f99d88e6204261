import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { type ServiceName, serviceNames } from './topology.js';

export { type ServiceName, serviceNames } from './topology.js';

/** The repository root, wherever it is checked out. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const port = z.number().int().min(1).max(65535);
const hostPort = z.strictObject({ host: z.string().min(1), port });
const url = z.url();

const serviceEndpoint = z.strictObject({ host: z.string().min(1), port, managementPort: port });

const perService = <T extends z.ZodType>(value: T) =>
  z.strictObject(Object.fromEntries(serviceNames.map((name) => [name, value])) as Record<ServiceName, T>);

const ipv4Number = (address: string) =>
  address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);

/** Whether an IPv4 address lies in a CIDR block. */
export function inSubnet(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4Number(base) / size) * size;
  return ipv4Number(address) >= start && ipv4Number(address) < start + size;
}

/**
 * The local mesh: a bridge in the root network namespace and one network namespace per service (its
 * pod), each with its Envoy sidecar. Local only; the cluster has Istio.
 */
const meshSchema = z
  .strictObject({
    /** The Linux bridge joining the pods (an interface name: at most 15 characters). */
    bridge: z.string().regex(/^[a-z][a-z0-9-]{0,14}$/),
    subnet: z.cidrv4(),
    /** The bridge's own address: where the pods reach the infrastructure. */
    hostAddress: z.ipv4(),
    /** Each service's pod address (its namespace's interface on the bridge). */
    pods: perService(z.ipv4()),
    /** In a calling pod, the loopback port of its sidecar's outbound listener for each service. */
    outboundPorts: perService(port),
    /** Lifetime of the workload certificates, issued anew at every stack start. */
    certificateHours: z.number().int().min(1).max(24),
  })
  .superRefine((mesh, context) => {
    const addresses = [mesh.hostAddress, ...Object.values(mesh.pods)];
    for (const [index, address] of addresses.entries()) {
      const path = index === 0 ? ['hostAddress'] : ['pods', serviceNames[index - 1]!];
      if (!inSubnet(address, mesh.subnet))
        context.addIssue({ code: 'custom', path, message: `${address} is not in ${mesh.subnet}` });
      if (addresses.indexOf(address) !== index)
        context.addIssue({ code: 'custom', path, message: `${address} is used twice` });
    }
    if (Number(mesh.subnet.split('/')[1]) > 30)
      context.addIssue({ code: 'custom', path: ['subnet'], message: 'leaves no room for the pods' });
  });

/** One target's environment-specific values (environments/<name>.yaml), validated when loaded. */
export const environmentSchema = z.strictObject({
  name: z.string().min(1),
  realm: z.string().min(1),
  apiAudience: z.string().min(1),
  browserOrigin: url,
  keycloak: z.strictObject({
    /** What browsers see and what every token carries as `iss`. */
    publicUrl: url,
    /** What the edge and the services use (JWKS, tokens, Admin API). */
    internalUrl: url,
    port,
    managementPort: port,
    authServiceTokenLifespanSeconds: z.number().int().positive(),
  }),
  postgres: hostPort,
  rabbitmq: hostPort.extend({ distPort: port, epmdPort: port }),
  redis: hostPort,
  smtp: hostPort.extend({ from: z.email() }),
  /** The development SMTP sink; only the local stack has one. */
  smtpSink: z.strictObject({ httpPort: port }).optional(),
  /**
   * Every service of the topology, and nothing else: where a caller outside the mesh reaches it
   * (locally, with the mesh on, a port-forward into its pod, as `kubectl port-forward` is).
   */
  services: perService(serviceEndpoint),
  /** The north-south edge: Envoy in the local stack, Tyk in a cluster (both rendered from edge/access-map.yaml). */
  edge: z.strictObject({
    /** What browsers call: the API base URL without the /api/v1 prefix. */
    publicUrl: url,
    /** Interface and port the edge listens on. */
    host: z.string().min(1),
    port,
    /** The edge's own administration port (Envoy admin, Tyk control API); never the public port. */
    adminPort: port,
  }),
  /** The OpenTelemetry Collector: services and the edge send it traces over OTLP. */
  otelCollector: z.strictObject({
    host: z.string().min(1),
    otlpGrpcPort: port,
    otlpHttpPort: port,
    /** The collector's own metrics (Prometheus format), scraped like every other target. */
    metricsPort: port,
  }),
  /** The development trace sink the local collector forwards spans to (dev/trace-sink); local only. */
  traceSink: z.strictObject({ httpPort: port }).optional(),
  prometheus: hostPort.extend({ scrapeIntervalSeconds: z.number().int().positive() }),
  /** The local mesh (local only: the cluster runs Istio). */
  mesh: meshSchema.optional(),
});

export type Environment = z.infer<typeof environmentSchema>;
export type ServiceEndpoint = Environment['services'][ServiceName];

/** Reads and validates environments/<name>.yaml; a bad file stops with every problem named. */
export function loadEnvironment(name = 'local'): Environment {
  const file = join(repoRoot, 'environments', `${name}.yaml`);
  const parsed = environmentSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment ${file}:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/** A part of the environment only some targets have (the local stack's development sinks). */
export function localOnly<T>(value: T | undefined, name: string, env: Environment): T {
  if (value === undefined) throw new Error(`environments/${env.name}.yaml has no ${name}: it is local only`);
  return value;
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
