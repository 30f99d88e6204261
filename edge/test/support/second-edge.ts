import type { AccessMap } from '../../../render/access-map-schema.js';
import type { EnvoyEdgeOptions } from '../../../render/envoy.js';
import { freePort, startExtraEdge, type ExtraEdge } from '../../../dev/stack/envoy.js';
import { environment } from '../../../e2e/support/stack.js';

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
