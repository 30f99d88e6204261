/**
 * Renders the cluster edge, the Tyk OSS Gateway (5.10 or later), from the access map and the
 * cluster environment: what Tyk reads from files, and nothing else.
 *
 * - One Tyk OAS API per service, as the pair Tyk itself writes in file mode: `<id>.json` (the
 *   classic definition, `is_oas: true`, which the gateway runs) beside `<id>-oas.json` (the OAS
 *   document with `x-tyk-api-gateway`, which carries what only OAS APIs have: issuer and audience
 *   checks). A lone OAS file is skipped silently, so both are always rendered together.
 * - One policy per file (`policies.policy_path`), each with its `id` and the APIs' `org_id`.
 * - Error templates `error_<status>.json` so Tyk's own errors are RFC 9457 problems.
 * - `tyk.conf` for the gateway.
 */
import {
  isPublicRoute,
  pathTemplatePattern,
  siblingTemplates,
  type AccessMap,
  type AccessMapRoute,
  type RateTier,
} from '../access-map-schema.js';
import { oidcOf, type Environment, type ServiceName } from '../environment.js';

type Json = Record<string, unknown>;

/** Where the cluster mounts the rendered files (one ConfigMap per folder). */
export const tykMounts = {
  apps: '/opt/tyk-gateway/platform/apps',
  policies: '/opt/tyk-gateway/platform/policies',
  templates: '/opt/tyk-gateway/platform/templates',
} as const;

/** The name of the JWT security scheme in every API. */
export const jwtSchemeName = 'keycloakJwt';
/** Tyk's signingMethod value for RS256 (Tyk names the key type, not the JWS algorithm). */
export const rs256SigningMethod = 'rsa';
/**
 * The realm roles as a top-level claim (the realm's `roles` client scope adds it beside
 * realm_access.roles): for OAS APIs Tyk looks the scope claim up among the payload's top-level
 * keys only, so a nested path such as realm_access.roles never matches.
 */
export const rolesClaim = 'roles';
const corsMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const corsHeaders = ['authorization', 'content-type', 'idempotency-key', 'if-match', 'x-request-id'];
const corsExposed = ['etag', 'location', 'retry-after', 'x-request-id'];

export const apiIdOf = (map: AccessMap, service: ServiceName) => `${map.orgId}-${service}`;
export const rolePolicyIdOf = (map: AccessMap, role: string) =>
  `${map.orgId}-role-${role.replace(/[^a-z0-9-]/g, '-')}`;

/** Every file under tyk/, keyed by its path relative to tyk/, as parsed JSON. */
export function renderTyk(map: AccessMap, env: Environment): Map<string, Json> {
  const files = new Map<string, Json>();
  files.set('tyk.conf', gatewayConfig(map, env));
  for (const service of Object.keys(map.services) as ServiceName[]) {
    const { classic, oas } = renderApi(map, env, service);
    files.set(`apps/${apiIdOf(map, service)}.json`, classic);
    files.set(`apps/${apiIdOf(map, service)}-oas.json`, oas);
  }
  for (const policy of renderPolicies(map)) files.set(`policies/${policy.id as string}.json`, policy);
  for (const [name, template] of errorTemplates()) files.set(`templates/${name}`, template);
  return files;
}

interface Operation {
  id: string;
  /** The route's path relative to the API's listen path, OAS style (`/admin/users/{id}`). */
  path: string;
  params: string[];
  route: AccessMapRoute;
}

function operationsOf(map: AccessMap, service: ServiceName): Operation[] {
  const { pathPrefix, routes } = map.services[service];
  return routes.map((route) => {
    const relative = route.path.slice(pathPrefix.length) || '/';
    const segments = relative.split('/').filter(Boolean);
    const params = segments.filter((segment) => segment.startsWith(':')).map((segment) => segment.slice(1));
    const words = segments.map((segment) =>
      segment.startsWith(':')
        ? `By${capitalise(segment.slice(1))}`
        : segment.split('-').map(capitalise).join(''),
    );
    return {
      id: `${route.method.toLowerCase()}${words.join('') || 'Root'}`,
      path: `/${segments.map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment)).join('/')}`,
      params,
      route,
    };
  });
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** No trailing slash, so the service root (/api/v1/users) is served too; strict routes keep /api/v1/usersX out. */
const listenPathOf = (map: AccessMap, service: ServiceName) =>
  `${map.apiPrefix}${map.services[service].pathPrefix}`;

/** The service's own base path on its Service: the listen path is stripped, the prefix is not. */
function upstreamUrlOf(map: AccessMap, env: Environment, service: ServiceName): string {
  const { host, port } = env.services[service];
  return `http://${host}:${port}${map.services[service].pathPrefix}`;
}

function renderApi(map: AccessMap, env: Environment, service: ServiceName): { classic: Json; oas: Json } {
  const operations = operationsOf(map, service);
  const id = apiIdOf(map, service);
  const name = `${map.orgId} ${service} service`;
  const listenPath = listenPathOf(map, service);
  const upstreamUrl = upstreamUrlOf(map, env, service);
  const oidc = oidcOf(env);
  const timeout = map.limits.upstreamTimeoutSeconds;
  const skew = map.limits.tokenClockSkewSeconds;
  const roleMapping = Object.keys(map.roleTiers).map((role) => ({ role, policy: rolePolicyIdOf(map, role) }));
  const publicOperations = operations.filter(({ route }) => isPublicRoute(route));
  const tierOf = (route: AccessMapRoute) => map.tiers[route.tier]!;

  const oas: Json = {
    openapi: '3.0.3',
    info: { title: name, version: '1.0.0' },
    servers: [{ url: `${env.edge.publicUrl}${listenPath}` }],
    security: [{ [jwtSchemeName]: [] }],
    paths: Object.fromEntries(
      [...new Set(operations.map(({ path }) => path))].map((path) => [
        path,
        Object.fromEntries(
          operations
            .filter((operation) => operation.path === path)
            .map(({ id: operationId, params, route }) => [
              route.method.toLowerCase(),
              {
                operationId,
                ...(params.length > 0
                  ? {
                      parameters: params.map((param) => ({
                        name: param,
                        in: 'path',
                        required: true,
                        schema: { type: 'string' },
                      })),
                    }
                  : {}),
                ...(isPublicRoute(route) ? { security: [] } : {}),
                responses: { default: { description: 'The service’s response (RFC 9457 problem on error)' } },
              },
            ]),
        ),
      ]),
    ),
    components: {
      securitySchemes: { [jwtSchemeName]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    'x-tyk-api-gateway': {
      info: { id, orgId: map.orgId, name, state: { active: true, internal: false } },
      upstream: { url: upstreamUrl },
      server: {
        listenPath: { value: listenPath, strip: true },
        authentication: {
          enabled: true,
          // The services validate the token again: the edge forwards it.
          stripAuthorizationData: false,
          securitySchemes: {
            [jwtSchemeName]: {
              enabled: true,
              header: { enabled: true, name: 'Authorization' },
              jwksURIs: [{ url: oidc.jwksUri }],
              signingMethod: rs256SigningMethod,
              // Keycloak's kid names the realm key: as identity it would put every user in one session.
              skipKid: true,
              identityBaseField: 'sub',
              subjectClaims: ['sub'],
              allowedIssuers: [oidc.issuer],
              allowedAudiences: [oidc.audience],
              idpClientIdMappingDisabled: true,
              scopes: {
                claimName: rolesClaim,
                claims: [rolesClaim],
                scopeToPolicyMapping: roleMapping.map(({ role, policy }) => ({
                  scope: role,
                  policyId: policy,
                })),
              },
              // No default policy: Tyk applies one only to a token without the roles claim, and a
              // policy granting nothing fails every such token with a 500. A token holding none of
              // the mapped roles is refused with 403.
              defaultPolicies: [],
              issuedAtValidationSkew: skew,
              notBeforeValidationSkew: skew,
              expiresAtValidationSkew: skew,
            },
          },
        },
      },
      middleware: {
        global: {
          cors: {
            enabled: true,
            allowedOrigins: [env.browserOrigin],
            allowedMethods: corsMethods,
            allowedHeaders: corsHeaders,
            exposedHeaders: corsExposed,
            allowCredentials: false,
            maxAge: 600,
            optionsPassthrough: false,
          },
          requestSizeLimit: { enabled: true, value: map.limits.requestBodyBytes },
        },
        operations: Object.fromEntries(
          operations.map(({ id: operationId, route }) => [
            operationId,
            {
              // An allow list: only the map's routes are served; /internal/… and the rest are refused.
              allow: { enabled: true },
              ...(isPublicRoute(route) ? { ignoreAuthentication: { enabled: true } } : {}),
              enforceTimeout: { enabled: true, value: timeout },
              ...(isPublicRoute(route)
                ? { rateLimit: { enabled: true, rate: tierOf(route).rate, per: `${tierOf(route).per}s` } }
                : {}),
            },
          ]),
        ),
      },
    },
  };

  const endpoint = (path: string, method: string) => ({ disabled: false, path, method, ignore_case: false });
  const classic: Json = {
    name,
    api_id: id,
    org_id: map.orgId,
    is_oas: true,
    active: true,
    internal: false,
    use_keyless: false,
    use_standard_auth: false,
    enable_jwt: true,
    auth_configs: {
      jwt: { name: jwtSchemeName, auth_header_name: 'Authorization', use_param: false, use_cookie: false },
    },
    jwt_signing_method: rs256SigningMethod,
    jwt_source: '',
    jwt_jwks_uris: [{ url: oidc.jwksUri }],
    jwt_skip_kid: true,
    jwt_identity_base_field: 'sub',
    jwt_default_policies: [],
    jwt_issued_at_validation_skew: skew,
    jwt_not_before_validation_skew: skew,
    jwt_expires_at_validation_skew: skew,
    idp_client_id_mapping_disabled: true,
    scopes: {
      jwt: {
        scope_claim_name: rolesClaim,
        scope_to_policy: Object.fromEntries(roleMapping.map(({ role, policy }) => [role, policy])),
      },
    },
    strip_auth_data: false,
    proxy: {
      listen_path: listenPath,
      target_url: upstreamUrl,
      strip_listen_path: true,
      preserve_host_header: false,
    },
    CORS: {
      enable: true,
      allowed_origins: [env.browserOrigin],
      allowed_methods: corsMethods,
      allowed_headers: corsHeaders,
      exposed_headers: corsExposed,
      allow_credentials: false,
      max_age: 600,
      options_passthrough: false,
      debug: false,
    },
    version_data: {
      not_versioned: true,
      default_version: 'Default',
      versions: {
        Default: {
          name: 'Default',
          use_extended_paths: true,
          global_size_limit: map.limits.requestBodyBytes,
          extended_paths: {
            white_list: operations.map(({ path, route }) => endpoint(path, route.method)),
            ignored: publicOperations.map(({ path, route }) => endpoint(path, route.method)),
            hard_timeouts: operations.map(({ path, route }) => ({
              disabled: false,
              path,
              method: route.method,
              timeout,
            })),
            rate_limit: publicOperations.map(({ path, route }) => ({
              disabled: false,
              path,
              method: route.method,
              rate: tierOf(route).rate,
              per: tierOf(route).per,
            })),
          },
        },
      },
    },
    disable_rate_limit: false,
    disable_quota: false,
  };
  return { classic, oas };
}

/**
 * A policy per realm role: its tier's rate and quota, and as allowed URLs the routes the role may
 * call (routes open to any authenticated caller included). Tyk applies the policies of every
 * mapped role a token holds and merges their access rights.
 */
export function renderPolicies(map: AccessMap): Json[] {
  return Object.keys(map.roleTiers).map((role) =>
    policy(
      map,
      rolePolicyIdOf(map, role),
      `${role} (realm role)`,
      map.tiers[map.roleTiers[role]!]!,
      (route) => route.roles.length === 0 || route.roles.includes(role),
    ),
  );
}

function policy(
  map: AccessMap,
  id: string,
  name: string,
  tier: RateTier,
  grants: (route: Extract<AccessMapRoute, { roles: string[] }>) => boolean,
): Json {
  const accessRights: Json = {};
  for (const service of Object.keys(map.services) as ServiceName[]) {
    const allowed = operationsOf(map, service).filter(({ route }) => !isPublicRoute(route) && grants(route));
    if (allowed.length === 0) continue;
    const listenPath = listenPathOf(map, service);
    accessRights[apiIdOf(map, service)] = {
      api_id: apiIdOf(map, service),
      api_name: `${map.orgId} ${service} service`,
      versions: ['Default'],
      // Matched against the request path with or without the listen path, whichever the gateway
      // version hands the granular-access check.
      allowed_urls: allowed.map(({ route }) => {
        const prefix = map.services[service].pathPrefix.length;
        const siblings = siblingTemplates(map.services[service].routes, route).map(
          (path) => path.slice(prefix) || '/',
        );
        const relative = route.path.slice(prefix);
        // The service root arrives as "" or "/" once the listen path is stripped.
        const pattern = relative === '' ? '/?' : pathTemplatePattern(relative, siblings);
        return { url: `^(${pathTemplatePattern(listenPath)})?${pattern}$`, methods: [route.method] };
      }),
    };
  }
  return {
    id,
    name: `${map.orgId}: ${name}`,
    org_id: map.orgId,
    active: true,
    is_inactive: false,
    rate: tier.rate,
    per: tier.per,
    quota_max: tier.quota?.requests ?? -1,
    quota_renewal_rate: tier.quota?.perSeconds ?? -1,
    throttle_interval: -1,
    throttle_retry_limit: -1,
    key_expires_in: 0,
    access_rights: accessRights,
    partitions: { quota: false, rate_limit: false, complexity: false, acl: false, per_api: false },
    tags: ['platform'],
  };
}

/** The statuses Tyk answers with itself, each as an RFC 9457 problem (Tyk sends them as application/json). */
export const tykProblemTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Go templates: `{{.Message}}` is Tyk's own error text. The marker keeps the JSON valid before Tyk fills it. */
export const tykMessagePlaceholder = '{{.Message}}';

function errorTemplates(): [string, Json][] {
  const problem = (title: string, status?: number): Json => ({
    type: 'about:blank',
    title,
    ...(status === undefined ? {} : { status }),
    detail: tykMessagePlaceholder,
  });
  return [
    ['error.json', problem('Request failed')],
    ...Object.entries(tykProblemTitles).map(([status, title]): [string, Json] => [
      `error_${status}.json`,
      problem(title, Number(status)),
    ]),
  ];
}

function gatewayConfig(map: AccessMap, env: Environment): Json {
  return {
    listen_address: env.edge.host,
    listen_port: env.edge.port,
    // The gateway API (/tyk/…) listens on its own port, which the Service never exposes. Its secret
    // comes from TYK_GW_SECRET (a Kubernetes Secret), never from this file.
    control_api_port: env.edge.adminPort,
    use_db_app_configs: false,
    app_path: tykMounts.apps,
    policies: { policy_source: 'file', policy_path: tykMounts.policies },
    template_path: tykMounts.templates,
    storage: {
      type: 'redis',
      host: env.redis.host,
      port: env.redis.port,
      database: 0,
      optimisation_max_idle: 100,
      optimisation_max_active: 500,
    },
    hash_keys: true,
    allow_master_keys: false,
    enable_analytics: false,
    enable_jsvm: false,
    proxy_default_timeout: map.limits.upstreamTimeoutSeconds,
    http_server_options: {
      // A listen path matches as a path prefix only, and endpoint paths match whole paths.
      enable_strict_routes: true,
      enable_path_prefix_matching: true,
      enable_path_suffix_matching: true,
    },
    log_level: 'info',
    // Observability (issue 8): a span per proxied request goes to the OpenTelemetry Collector, and
    // the gateway passes the W3C trace context on to the services, which continue it. Every trace
    // is kept (ratio 1) unless the caller's context says it was not sampled.
    opentelemetry: {
      enabled: true,
      exporter: 'grpc',
      endpoint: `${env.otelCollector.host}:${env.otelCollector.otlpGrpcPort}`,
      resource_name: 'tyk-gateway',
      context_propagation: 'tracecontext',
      sampling: { type: 'TraceIDRatioBased', rate: 1, parent_based: true },
    },
  };
}
