/**
 * The mesh's JWT-facing policies, rendered from the sources the edge and the services use: the
 * issuer, JWKS and audience from environments/cluster.yaml (as every service and Tyk get them),
 * the edge routes and the internal routes (with their callers) from edge/access-map.yaml. A rule per route keeps each path tied to its methods and roles.
 */
import { type Environment, oidcOf, serviceNames, type ServiceName } from '../environment.js';
import {
  isPublicRoute,
  type AccessMap,
  type AccessMapRoute,
  type InternalRoute,
} from '../access-map-schema.js';
import {
  containerPorts,
  edgeIdentity,
  namespace,
  principalOf as principalOfIdentity,
  prometheusIdentity,
  trustDomain,
  workloadName,
} from '../topology.js';

type Json = Record<string, unknown>;

export { trustDomain };
export const principalOf = (serviceAccount: string, inNamespace = namespace) =>
  principalOfIdentity({ namespace: inNamespace, serviceAccount });

/**
 * Identities from outside the platform's own render that mesh policies admit: Prometheus scraping
 * the management ports (mesh/observability-authorization.yaml) and the Istio ingress gateway in
 * front of Tyk (mesh/edge-ingress-authorization.yaml).
 */
export const externalPrincipals = [
  principalOfIdentity(prometheusIdentity),
  principalOf('istio-ingressgateway-service-account', 'istio-system'),
] as const;

/** The edge's workload identity: every north-south request reaches a service from it. */
export const edgeServiceAccount = edgeIdentity.serviceAccount;
/** Where Istio reads the realm roles in a verified token. */
export const rolesClaimKey = 'request.auth.claims[realm_access][roles]';
export const scopeClaimKey = 'request.auth.claims[scope]';

const selectorOf = (service: ServiceName) => ({
  matchLabels: { 'app.kubernetes.io/name': workloadName(service) },
});

/**
 * An Express path template as an Istio path: each `:param` becomes `{*}`, which matches exactly
 * one path segment, as Express's parameter does.
 */
export function istioPathOf(template: string): string {
  return template
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '{*}' : segment))
    .join('/');
}

/** Verified tokens only from the realm: issuer, keys and audience exactly as the services check them. */
export function requestAuthentications(env: Environment): Json[] {
  const oidc = oidcOf(env);
  return serviceNames.map((service) => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'RequestAuthentication',
    metadata: { name: workloadName(service), namespace },
    spec: {
      selector: selectorOf(service),
      jwtRules: [
        {
          issuer: oidc.issuer,
          jwksUri: oidc.jwksUri,
          audiences: [oidc.audience],
          // The service verifies the token itself as well: the sidecar must pass it on.
          forwardOriginalToken: true,
        },
      ],
    },
  }));
}

interface AccessRule {
  method: string;
  path: string;
  /** null: public, no token required. */
  roles: readonly string[] | null;
  scopes: readonly string[];
}

function ruleOf(sourcePrincipal: string, issuer: string, access: AccessRule): Json {
  const source: Json = { principals: [sourcePrincipal] };
  // Any subject of this realm: a request principal is `<iss>/<sub>`.
  if (access.roles !== null) source.requestPrincipals = [`${issuer}/*`];
  const when = [
    ...(access.roles !== null && access.roles.length > 0
      ? [{ key: rolesClaimKey, values: [...access.roles] }]
      : []),
    // Conditions are all required, values within one any-of: one condition per scope.
    ...access.scopes.map((scope) => ({ key: scopeClaimKey, values: [scope] })),
  ];
  return {
    from: [{ source }],
    to: [
      {
        operation: {
          ports: [String(containerPorts.http)],
          methods: [access.method],
          paths: [istioPathOf(access.path)],
        },
      },
    ],
    ...(when.length > 0 ? { when } : {}),
  };
}

const fromMap = (route: AccessMapRoute): AccessRule =>
  isPublicRoute(route)
    ? { method: route.method, path: route.path, roles: null, scopes: [] }
    : { method: route.method, path: route.path, roles: route.roles, scopes: route.scopes ?? [] };

const fromInternal = (route: InternalRoute): AccessRule => ({
  method: route.method,
  path: route.path,
  roles: route.roles,
  scopes: [],
});

/**
 * One ALLOW policy per service: the edge's identity to each route the access map exposes (with a
 * verified token and the route's roles unless the route is public), and each caller's identity
 * to the internal routes the map names it for.
 */
export function jwtAuthorizationPolicies(map: AccessMap, env: Environment): Json[] {
  const { issuer } = oidcOf(env);
  return serviceNames.map((service) => {
    const rules = map.services[service].routes.map((route) =>
      ruleOf(principalOf(edgeServiceAccount), issuer, fromMap(route)),
    );
    for (const route of map.services[service].internal ?? []) {
      for (const caller of route.callers) {
        rules.push(ruleOf(principalOf(workloadName(caller)), issuer, fromInternal(route)));
      }
    }
    return {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `${workloadName(service)}-callers`, namespace },
      spec: { selector: selectorOf(service), action: 'ALLOW', rules },
    };
  });
}
