/**
 * How the local mesh runs dev/tools/mesh-compiler on the committed mesh/: the cluster's workloads
 * (k8s/base and the Tyk component), with only the values that differ locally rewritten before
 * Istio compiles them — the token issuer (the local Keycloak's public URL instead of the
 * cluster's) and the JWKS address (Keycloak as the pods reach it).
 */
import { type Environment, loadEnvironment, oidcOf } from '../environment.js';
import { podView } from '../service-env.js';
import { containerPorts, type ServiceName, workloadName } from '../topology.js';
import { certificateDirPattern } from './workload-certificates.js';

/** The Envoy cluster the sidecars fetch the realm's keys through. */
export const jwksClusterName = 'keycloak-jwks';

export const meshSources = { mesh: 'mesh', manifests: ['k8s/base', 'k8s/components/tyk-gateway'] } as const;

export interface CompileOptions {
  /** Where the certificate folders are (the sidecars read their files from there). */
  certsRoot: string;
  /** The services to compile (default: all of the topology). */
  services: readonly ServiceName[];
  /** Another copy of mesh/ (tests compile changed copies). */
  meshDir?: string;
  /** Listener ports that differ from the container ports, per container port (a second sidecar). */
  ports?: Partial<Record<keyof typeof containerPorts, number>>;
}

/** The arguments of `mesh-compiler compile`, run from the repository root. */
export function compileArguments(env: Environment, options: CompileOptions): string[] {
  const clusterIssuer = oidcOf(loadEnvironment('cluster')).issuer;
  const portMap = Object.entries(options.ports ?? {}).map(
    ([kind, port]) => `${containerPorts[kind as keyof typeof containerPorts]}=${port}`,
  );
  return [
    'compile',
    ...['--mesh', options.meshDir ?? meshSources.mesh],
    ...meshSources.manifests.flatMap((dir) => ['--manifests', dir]),
    ...['--workload', options.services.map(workloadName).join(',')],
    ...['--issuer', `${clusterIssuer}=${oidcOf(env).issuer}`],
    ...['--jwks-uri', oidcOf(podView(env)).jwksUri],
    ...['--jwks-cluster', jwksClusterName],
    ...['--cert-dir', certificateDirPattern(options.certsRoot)],
    ...(portMap.length > 0 ? ['--port-map', portMap.join(',')] : []),
  ];
}
