/**
 * Callers of the local mesh for tests: a workload presenting a mesh identity's certificate (the
 * stack's own, or one from a CA the mesh does not trust), a plain-text client, and a request made
 * from inside a pod, through that pod's own sidecar.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceName } from '@platform/platform/environment';
import { containerPorts, type MeshIdentity, spiffeIdOf } from '@platform/platform/topology';
import { certificateDir, certificateFiles } from '@platform/platform/mesh/workload-certificates';
import { meshCompiler } from '@platform/dev/stack/mesh-identity';
import { certsRoot, meshRecorded } from '@platform/dev/stack/mesh-mode';
import { inPod } from '@platform/dev/stack/mesh-network';
import { environment } from '@platform/test-support/stack';

const run = promisify(execFile);

/** The mesh as the stack runs it; a test of the mesh fails at once when it is off. */
export function meshOfStack() {
  if (!meshRecorded() || !environment.mesh) {
    throw new Error('the local mesh is not running: start the stack with it (npm run stack)');
  }
  return environment.mesh;
}

export interface Endpoint {
  host: string;
  port: number;
}

/** A service's sidecar, inbound, on one of its container ports. */
export function sidecarOf(service: ServiceName, port: keyof typeof containerPorts = 'http'): Endpoint {
  return { host: meshOfStack().pods[service], port: containerPorts[port] };
}

/** What a workload holds to speak mutual TLS in the mesh. */
export interface ClientCertificate {
  cert: Buffer;
  key: Buffer;
  /** The root it trusts for the server's certificate. */
  ca: Buffer;
}

/** The certificate the stack issued to a mesh identity (what its workload presents). */
export function certificateOf(identity: MeshIdentity): ClientCertificate {
  const dir = certificateDir(certsRoot, identity);
  return {
    cert: readFileSync(join(dir, certificateFiles.chain)),
    key: readFileSync(join(dir, certificateFiles.key)),
    ca: readFileSync(join(dir, certificateFiles.root)),
  };
}

/**
 * A certificate for the same identity from a CA of its own (made by the same tool the mesh's CA
 * is): a valid SVID the mesh must not trust. It trusts the mesh's root, so only the server can
 * refuse the handshake.
 */
export async function foreignCertificate(identity: MeshIdentity): Promise<ClientCertificate> {
  const dir = mkdtempSync(join(tmpdir(), 'foreign-ca-'));
  try {
    await run(meshCompiler(), [
      'issue',
      ...['--ca-dir', join(dir, 'ca'), '--out', join(dir, 'out')],
      ...['--sa', identity.serviceAccount, '--namespace', identity.namespace, '--ttl', '1h'],
    ]);
    return {
      cert: readFileSync(join(dir, 'out', certificateFiles.chain)),
      key: readFileSync(join(dir, 'out', certificateFiles.key)),
      ca: certificateOf(identity).ca,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface MeshResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A connection the peer would not take: what it failed with, never an HTTP status. */
export interface Refusal {
  refused: string;
}

export type Outcome = MeshResponse | Refusal;

export const isRefusal = (outcome: Outcome): outcome is Refusal => 'refused' in outcome;

export interface MeshCallOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  /** The identity presented; none: a TLS client without a certificate. */
  certificate?: ClientCertificate;
  /** Whose sidecar is expected to answer (its SPIFFE ID is checked, as Istio's clients do). */
  peer: MeshIdentity;
}

function collect(resolve: (outcome: Outcome) => void): (res: IncomingMessage) => void {
  return (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
  };
}

/** One HTTPS request in mutual TLS to a sidecar; a refused handshake or connection is a Refusal. */
export function meshCall(endpoint: Endpoint, path: string, options: MeshCallOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpsRequest(
      {
        host: endpoint.host,
        port: endpoint.port,
        path,
        method: options.method ?? 'GET',
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        agent: false,
        ca: options.certificate?.ca ?? certificateOf(options.peer).ca,
        cert: options.certificate?.cert,
        key: options.certificate?.key,
        rejectUnauthorized: true,
        // The mesh names workloads by SPIFFE ID (a URI SAN), not by host name.
        checkServerIdentity: (_host, certificate) =>
          certificate.subjectaltname === `URI:${spiffeIdOf(options.peer)}`
            ? undefined
            : new Error(`the server is ${certificate.subjectaltname}, not ${spiffeIdOf(options.peer)}`),
      },
      collect(resolve),
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ refused: error.code ?? error.message }));
    req.setTimeout(10_000, () => req.destroy(new Error('no answer after 10 s')));
    req.end();
  });
}

/** One plain-text HTTP request (no TLS at all). */
export function plainCall(endpoint: Endpoint, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: endpoint.host, port: endpoint.port, path, agent: false },
      collect(resolve),
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ refused: error.code ?? error.message }));
    req.setTimeout(10_000, () => req.destroy(new Error('no answer after 10 s')));
    req.end();
  });
}

/**
 * A plain HTTP request made from inside a pod (its network namespace), as the service there
 * would make it: to its own sidecar's outbound listener, or anywhere else.
 */
export async function callFromPod(
  service: ServiceName,
  url: string,
  headers: Record<string, string> = {},
): Promise<Outcome> {
  const script = `
const [url, headers] = process.argv.slice(1);
fetch(url, { headers: JSON.parse(headers), signal: AbortSignal.timeout(10000) })
  .then(async (r) => console.log(JSON.stringify({ status: r.status, headers: {}, text: await r.text() })))
  .catch((e) => console.log(JSON.stringify({ refused: String(e.cause?.code ?? e.cause?.message ?? e.message) })));`;
  const [command, args] = inPod(service, process.execPath, ['-e', script, url, JSON.stringify(headers)]);
  const { stdout } = await run(command, args);
  return JSON.parse(stdout.trim()) as Outcome;
}

/** The sockets listening in a pod, as `ss` sees them there: `address:port process`. */
export async function listenersInPod(service: ServiceName): Promise<{ address: string; process: string }[]> {
  const [command, args] = inPod(service, 'ss', ['-Hltnp']);
  const { stdout } = await run(command, args);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map((fields) => ({
      address: fields[3] ?? '',
      process: /users:\(\("([^"]+)"/.exec(fields.slice(5).join(' '))?.[1] ?? '',
    }));
}
