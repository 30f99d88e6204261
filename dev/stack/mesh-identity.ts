/**
 * Workload identities of the local mesh, as Istio's CA gives them: a local root CA (kept in
 * .stack/mesh/ca, created on first use) and, per identity, a short-lived certificate whose only
 * name is its SPIFFE ID (spiffe://cluster.local/ns/<ns>/sa/<sa>), issued by `mesh-compiler issue`
 * (Istio's own pki code). The identities are the cluster's service accounts: the three services,
 * the edge as Tyk's `tyk-gateway`, Prometheus as `monitoring/prometheus`.
 *
 * A certificate is issued whenever the Envoy using it starts (so every stack start that starts
 * it), and again once it is past half its lifetime (istio-agent rotates at the same point): an
 * Envoy reads its certificate files when it starts, so one whose certificate was renewed restarts.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Environment, localOnly } from '@platform/platform/environment';
import { type MeshIdentity, spiffeIdOf } from '@platform/platform/topology';
import { certificateDir, certificateFiles } from '@platform/platform/mesh/workload-certificates';
import { ensureClusterTool } from '../tools/cluster-tools.js';
import { certsRoot, meshStateDir } from './mesh-mode.js';
import { runOrFail } from './processes.js';

const caDir = join(meshStateDir, 'ca');

export const identityDir = (identity: MeshIdentity) => certificateDir(certsRoot, identity);

/** The mesh compiler (dev/tools/mesh-compiler), built once into .cache/tools. */
export function meshCompiler(): string {
  return ensureClusterTool('mesh-compiler');
}

/** Builds the compiler when its sources changed (a cold build takes minutes). */
export async function ensureMeshCompiler(): Promise<string> {
  const binary = meshCompiler();
  return `ready (${binary.split('/').slice(-2, -1)[0]})`;
}

/** Whether an identity's certificate is there, from the current CA, for it, and in its first half of life. */
function isFresh(identity: MeshIdentity): boolean {
  const dir = identityDir(identity);
  const files = Object.values(certificateFiles).map((name) => join(dir, name));
  if (!files.every(existsSync) || !existsSync(join(caDir, 'root-cert.pem'))) return false;
  if (
    readFileSync(join(dir, certificateFiles.root), 'utf8') !==
    readFileSync(join(caDir, 'root-cert.pem'), 'utf8')
  )
    return false;
  const certificate = new X509Certificate(readFileSync(join(dir, certificateFiles.chain)));
  if (certificate.subjectAltName !== `URI:${spiffeIdOf(identity)}`) return false;
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  return Date.now() < from + (to - from) / 2;
}

async function issue(identity: MeshIdentity, hours: number): Promise<void> {
  await runOrFail(meshCompiler(), [
    'issue',
    ...['--ca-dir', caDir],
    ...['--out', identityDir(identity)],
    ...['--sa', identity.serviceAccount],
    ...['--namespace', identity.namespace],
    ...['--ttl', `${hours}h`],
  ]);
}

/**
 * Issues the identity a certificate when `renew` (its Envoy is about to start) or when the one it
 * has is not fit to use (missing, from another CA, past half its life); returns whether it did.
 */
export async function ensureIdentity(
  env: Environment,
  identity: MeshIdentity,
  options: { renew: boolean },
): Promise<boolean> {
  if (!options.renew && isFresh(identity)) return false;
  await issue(identity, localOnly(env.mesh, 'mesh', env).certificateHours);
  return true;
}

/** A fingerprint of an identity's certificate: part of the hash that restarts an Envoy using it. */
export function certificateFingerprint(identity: MeshIdentity): string {
  const dir = identityDir(identity);
  const hash = createHash('sha256');
  for (const name of Object.values(certificateFiles)) hash.update(readFileSync(join(dir, name)));
  return hash.digest('hex');
}
