/**
 * What dev/tools/mesh-compiler prints for each workload: the Envoy filters and inbound TLS that
 * istiod would give the workload's sidecar, compiled from mesh/ by Istio's own builders. Read,
 * never written, here: the sidecar renderer places these pieces into a listener as they are.
 */
import { z } from 'zod';

const json = z.record(z.string(), z.unknown());
const tlsMode = z.enum(['STRICT', 'PERMISSIVE', 'DISABLE']);

export const compiledWorkloadSchema = z.object({
  workload: z.string().min(1),
  namespace: z.string().min(1),
  serviceAccount: z.string().min(1),
  principal: z.string().startsWith('spiffe://'),
  labels: z.record(z.string(), z.string()),
  /** PeerAuthentication's mode for the whole workload, and per (listener) port. */
  inboundTlsMode: tlsMode,
  portTlsModes: z.record(z.string(), tlsMode),
  /** In order, before the router of each inbound HTTP connection manager. */
  httpFilters: z.array(json),
  /** For inbound TCP filter chains (the platform's pods serve HTTP only). */
  networkFilters: z.array(json),
  /** The clusters remote_jwks fetches keys through; the renderer defines them. */
  jwksClusters: z.array(
    z.object({ name: z.string(), uri: z.url(), host: z.string(), port: z.number().int(), tls: z.boolean() }),
  ),
  /** Istio's inbound DownstreamTlsContext, reading the workload's certificate files. */
  downstreamTlsContext: json.optional(),
});

export type CompiledWorkload = z.infer<typeof compiledWorkloadSchema>;
export type TlsMode = z.infer<typeof tlsMode>;

/** Parses the compiler's output (a JSON array), failing with the first problem named. */
export function parseCompiledWorkloads(output: string): CompiledWorkload[] {
  const parsed = z.array(compiledWorkloadSchema).safeParse(JSON.parse(output));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`mesh-compiler output: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
