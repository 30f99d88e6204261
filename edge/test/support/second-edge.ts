import type { AccessMap } from '@platform/platform/access-map-schema';
import type { EnvoyEdgeOptions } from '@platform/platform/edge/envoy';
import { freePort, startExtraEdge, type ExtraEdge } from '@platform/dev/stack/envoy';
import { environment } from '@platform/test-support/stack';

export { freePort };
export type SecondEdge = ExtraEdge;

/** A second real Envoy for one test, rendered from a (possibly changed) map with chosen upstreams. */
export function startSecondEdge(
  name: string,
  map: AccessMap,
  options: Omit<EnvoyEdgeOptions, 'listen' | 'adminPort'> = {},
): Promise<SecondEdge> {
  return startExtraEdge(`test-${name}`, map, environment, options);
}
