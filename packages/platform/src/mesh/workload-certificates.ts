/**
 * Where a workload's certificate (its SVID) lies and how a client presents it: the files Istio's
 * agent hands Envoy (cert-chain.pem, key.pem, root-cert.pem), one folder per service account, as
 * `mesh-compiler issue` writes them and `mesh-compiler compile --cert-dir <root>/{sa}` reads them.
 */
import { join } from 'node:path';
import { type MeshIdentity, spiffeIdOf } from '../topology.js';

type Json = Record<string, unknown>;

export const certificateFiles = { chain: 'cert-chain.pem', key: 'key.pem', root: 'root-cert.pem' } as const;

/** The folder of an identity's files under the certificates' root. */
export const certificateDir = (certsRoot: string, identity: MeshIdentity) =>
  join(certsRoot, identity.serviceAccount);

/** The compiler's --cert-dir pattern for the same layout. */
export const certificateDirPattern = (certsRoot: string) => join(certsRoot, '{sa}');

const file = (dir: string, name: string) => ({ filename: join(dir, name) });

/**
 * Istio's client side of mutual TLS (ISTIO_MUTUAL): present the caller's certificate, trust only
 * the mesh's root, and accept only the peer whose SPIFFE ID is the destination's identity.
 */
export function meshClientTls(certDir: string, peer: MeshIdentity): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      common_tls_context: {
        tls_params: { tls_minimum_protocol_version: 'TLSv1_2' },
        tls_certificates: [
          {
            certificate_chain: file(certDir, certificateFiles.chain),
            private_key: file(certDir, certificateFiles.key),
          },
        ],
        validation_context: {
          trusted_ca: file(certDir, certificateFiles.root),
          match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: spiffeIdOf(peer) } }],
        },
      },
    },
  };
}
