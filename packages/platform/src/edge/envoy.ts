/**
 * Renders Envoy bootstrap configuration from the access map and an environment.
 *
 * The edge is composed from small pieces (listener, HTTP connection manager, per-route filter
 * configs, clusters) so a later per-service sidecar renderer can reuse them with an mTLS transport
 * socket and RBAC on workload identities instead of JWT claims.
 */
import {
  edgePathOf,
  isPublicRoute,
  pathTemplatePattern,
  routesOf,
  siblingTemplates,
  type AccessMap,
  type AccessMapRoute,
  type RateTier,
} from '../access-map-schema.js';
import { localOnly, oidcOf, type Environment, type ServiceName } from '../environment.js';
import { containerPorts, edgeIdentity, serviceIdentity } from '../topology.js';
import { certificateDir, meshClientTls } from '../mesh/workload-certificates.js';

type Json = Record<string, unknown>;

export interface HostPort {
  host: string;
  port: number;
}

export interface EnvoyEdgeOptions {
  /** Where the edge listens; defaults to the environment's edge host and port. */
  listen?: HostPort;
  /** Admin interface; always on loopback. Defaults to the environment's edge admin port. */
  adminPort?: number;
  /** Upstream address per service (plain HTTP); defaults to the environment's services. */
  upstreams?: Partial<Record<ServiceName, HostPort>>;
  /**
   * The local mesh: the edge reaches each service (unless `upstreams` names another address) at
   * its pod's sidecar, in mutual TLS with the edge's own workload identity (Tyk's, in the
   * cluster), so the mesh's rules for the edge apply locally too. The certificates' root folder.
   */
  mesh?: { certsRoot: string };
  /** Rate limits on (the default) or off: the benchmark measures the proxy, not the limiter. */
  rateLimits?: boolean;
}

export const jwtFilterName = 'envoy.filters.http.jwt_authn';
export const rbacFilterName = 'envoy.filters.http.rbac';
export const rateLimitFilterName = 'envoy.filters.http.local_ratelimit';
export const corsFilterName = 'envoy.filters.http.cors';
const jwtProvider = 'keycloak';
/** Where jwt_authn puts the verified payload in the request's dynamic metadata. */
const jwtPayloadKey = 'jwt';
const keycloakCluster = 'keycloak-jwks';
/** Where jwt_authn records why it refused a token. */
const jwtFailureKey = 'jwt_failure';

/** The whole edge: one listener routing the access map to one cluster per service. */
export function renderEnvoyEdge(map: AccessMap, env: Environment, options: EnvoyEdgeOptions = {}): Json {
  const listen = options.listen ?? { host: env.edge.host, port: env.edge.port };
  const rateLimits = options.rateLimits ?? true;
  const upstream = (service: ServiceName): Json => {
    const override = options.upstreams?.[service];
    const timeout = map.limits.upstreamConnectTimeoutMs;
    if (override || !options.mesh)
      return upstreamCluster(service, override ?? env.services[service], timeout);
    const mesh = localOnly(env.mesh, 'mesh', env);
    return {
      ...upstreamCluster(service, { host: mesh.pods[service], port: containerPorts.http }, timeout),
      transport_socket: meshClientTls(
        certificateDir(options.mesh.certsRoot, edgeIdentity),
        serviceIdentity(service),
      ),
    };
  };
  const services = Object.keys(map.services) as ServiceName[];
  return {
    node: { id: `edge-${env.name}`, cluster: 'edge' },
    admin: {
      address: socketAddress({ host: '127.0.0.1', port: options.adminPort ?? env.edge.adminPort }),
    },
    overload_manager: connectionLimit(),
    layered_runtime: edgeTracingRuntime(),
    static_resources: {
      listeners: [
        httpListener('edge', listen, {
          ...edgeConnectionManager(map, env, { rateLimits }),
          ...edgeTracing(env),
        }),
      ],
      clusters: [
        ...services.map(upstream),
        jwksCluster(env, map.limits.upstreamConnectTimeoutMs),
        upstreamCluster(
          otelCollectorCluster,
          { host: env.otelCollector.host, port: env.otelCollector.otlpHttpPort },
          map.limits.upstreamConnectTimeoutMs,
        ),
      ],
    },
  };
}

const otelCollectorCluster = 'otel-collector';

/**
 * Observability (issue 8): a span for every request, sent over OTLP/HTTP to the OpenTelemetry
 * Collector. The edge continues a caller's W3C trace context (or starts one) and passes it on in
 * `traceparent`, which the services continue. Sampling is random (all requests), not derived from
 * x-request-id: the edge keeps callers' own request ids, which need not be UUIDs.
 */
function edgeTracing(env: Environment): Json {
  return {
    request_id_extension: {
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig',
        use_request_id_for_trace_sampling: false,
      },
    },
    tracing: {
      random_sampling: { value: 100 },
      provider: {
        name: 'envoy.tracers.opentelemetry',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
          service_name: 'edge',
          http_service: {
            http_uri: {
              uri: `http://${env.otelCollector.host}:${env.otelCollector.otlpHttpPort}/v1/traces`,
              cluster: otelCollectorCluster,
              timeout: '2s',
            },
          },
        },
      },
    },
  };
}

/**
 * Envoy's OpenTelemetry tracer posts its spans every 5 spans per worker by default: at a few
 * hundred requests a second that is a hundred exports a second. Batching them took the whole edge
 * path from about 585 to about 720 requests/s (six interleaved A/B runs): the collector had been
 * paying for the exports. One export per 200 spans or
 * per second, whichever comes first, keeps a span's delay under a second.
 */
function edgeTracingRuntime(): Json {
  return {
    layers: [
      {
        name: 'tracing',
        static_layer: {
          'tracing.opentelemetry.min_flush_spans': 200,
          'tracing.opentelemetry.flush_interval_ms': 1000,
        },
      },
    ],
  };
}

/** Bounds what a flood of connections can take; Envoy warns at start without a limit. */
export function connectionLimit(): Json {
  return {
    resource_monitors: [
      {
        name: 'envoy.resource_monitors.global_downstream_max_connections',
        typed_config: {
          '@type':
            'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig',
          max_active_downstream_connections: 10000,
        },
      },
    ],
  };
}

export function socketAddress({ host, port }: HostPort): Json {
  return { socket_address: { address: host, port_value: port } };
}

export function httpListener(name: string, address: HostPort, connectionManager: Json): Json {
  return {
    name,
    address: socketAddress(address),
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: connectionManager,
          },
        ],
      },
    ],
  };
}

function edgeConnectionManager(
  map: AccessMap,
  env: Environment,
  { rateLimits }: { rateLimits: boolean },
): Json {
  const routes = routesOf(map).map(({ service, route }) => edgeRoute(map, service, route, rateLimits));
  return {
    '@type':
      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'edge',
    codec_type: 'AUTO',
    // The edge is the first hop: the TCP peer is the client (per-IP limits key on it) and the
    // client's own X-Forwarded-For is not believed.
    use_remote_address: true,
    xff_num_trusted_hops: 0,
    // The kit accepts a caller's request id (bounded, plain); keeping it lets one id follow a call.
    preserve_external_request_id: true,
    // /api/v1/users/../internal/x must not reach a route as written.
    normalize_path: true,
    merge_slashes: true,
    path_with_escaped_slashes_action: 'REJECT_REQUEST',
    server_name: 'edge',
    common_http_protocol_options: { idle_timeout: '60s', headers_with_underscores_action: 'REJECT_REQUEST' },
    request_headers_timeout: '10s',
    access_log: [
      stdoutAccessLog(
        '%UPSTREAM_CLUSTER% %DURATION%ms id=%REQ(X-REQUEST-ID)% client=%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%',
      ),
    ],
    local_reply_config: problemLocalReplies(),
    route_config: {
      name: 'edge',
      virtual_hosts: [
        {
          name: 'api',
          domains: ['*'],
          typed_per_filter_config: { [corsFilterName]: corsPolicy(env.browserOrigin) },
          routes: [
            ...routes,
            corsPreflightRoute(map, routesOf(map)[0]!.service),
            // Anything else, /internal/… included, is not served at the edge.
            {
              name: 'not-found',
              match: { prefix: '/' },
              direct_response: { status: 404, body: { inline_string: 'No such route at the edge' } },
            },
          ],
        },
      ],
    },
    http_filters: [
      requestHygiene(),
      {
        name: corsFilterName,
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' },
      },
      {
        name: 'envoy.filters.http.buffer',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer',
          max_request_bytes: map.limits.requestBodyBytes,
        },
      },
      { name: jwtFilterName, typed_config: jwtAuthn(map, env) },
      // No rules here: each protected route carries its own policy (an absent one allows).
      {
        name: rbacFilterName,
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC' },
      },
      {
        name: rateLimitFilterName,
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
          stat_prefix: 'edge_rate_limit',
        },
      },
      {
        name: 'envoy.filters.http.router',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
          suppress_envoy_headers: true,
        },
      },
    ],
  };
}

/**
 * Requests no API of the platform takes, answered at once, before any filter reads or buffers them:
 * CONNECT (the buffer filter would otherwise wait for a body that never ends) and a request with
 * more than one Host header (Envoy joins them with a comma, which no host name contains). The
 * answer is a local reply, so it becomes a problem like every other refusal of the edge.
 */
function requestHygiene(): Json {
  const script = `
function envoy_on_request(request)
  local headers = request:headers()
  if headers:get(":method") == "CONNECT" then
    request:respond({[":status"] = "405", ["allow"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"}, "CONNECT is not served")
  elseif string.find(headers:get(":authority") or "", ",", 1, true) then
    request:respond({[":status"] = "400"}, "A request carries one Host header")
  end
end`;
  return {
    name: 'envoy.filters.http.lua',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
      default_source_code: { inline_string: script.trim() },
    },
  };
}

/** One access-map route: matched by method and path template, rewritten to the service's own path. */
function edgeRoute(map: AccessMap, service: ServiceName, route: AccessMapRoute, rateLimits: boolean): Json {
  const tier = map.tiers[route.tier]!;
  const filters: Json = {};
  if (isPublicRoute(route)) {
    filters[jwtFilterName] = {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig',
      disabled: true,
    };
  } else {
    filters[jwtFilterName] = {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig',
      requirement_name: jwtProvider,
    };
    const policy = rolePolicy(route.roles, route.scopes ?? []);
    if (policy) {
      filters[rbacFilterName] = {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
        rbac: { rules: { action: 'ALLOW', policies: { [`${route.method} ${route.path}`]: policy } } },
      };
    }
  }
  if (rateLimits) {
    filters[rateLimitFilterName] = isPublicRoute(route)
      ? // The remote_address action always names its descriptor entry `remote_address`.
        tokenBucketPerValue(tier, 'remote_address', { remote_address: {} })
      : tokenBucketPerValue(tier, 'identity', {
          metadata: {
            descriptor_key: 'identity',
            metadata_key: { key: jwtFilterName, path: [{ key: jwtPayloadKey }, { key: 'sub' }] },
            source: 'DYNAMIC',
          },
        });
  }
  return {
    name: `${service} ${route.method} ${route.path}`,
    match: {
      safe_regex: {
        regex: `^${pathTemplatePattern(
          edgePathOf(map, route),
          siblingTemplates(map.services[service].routes, route).map((path) => `${map.apiPrefix}${path}`),
        )}$`,
      },
      headers: [{ name: ':method', string_match: { exact: route.method } }],
    },
    route: {
      cluster: service,
      timeout: `${map.limits.upstreamTimeoutSeconds}s`,
      regex_rewrite: {
        pattern: { regex: `^${pathTemplatePattern(map.apiPrefix)}(/.*)$` },
        substitution: '\\1',
      },
    },
    typed_per_filter_config: filters,
  };
}

/**
 * Preflights need a forwarding route: Envoy's CORS filter answers them only there (not on a direct
 * response). An allowed origin is answered by the CORS filter before anything else; a refused one
 * falls through to an RBAC policy without any allowed principal (403), so it never reaches a service.
 */
function corsPreflightRoute(map: AccessMap, anyService: ServiceName): Json {
  return {
    name: 'cors-preflight',
    match: {
      prefix: `${map.apiPrefix}/`,
      headers: [{ name: ':method', string_match: { exact: 'OPTIONS' } }],
    },
    route: { cluster: anyService },
    typed_per_filter_config: {
      [jwtFilterName]: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig',
        disabled: true,
      },
      [rbacFilterName]: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
        rbac: { rules: { action: 'ALLOW', policies: {} } },
      },
    },
  };
}

/** Any of the roles (realm_access.roles in the verified payload) and all of the scopes. */
function rolePolicy(roles: readonly string[], scopes: readonly string[]): Json | undefined {
  const payload = (...path: string[]) => [jwtPayloadKey, ...path].map((key) => ({ key }));
  const requirements: Json[] = [];
  if (roles.length > 0) {
    requirements.push({
      or_ids: {
        ids: roles.map((role) =>
          payloadMatches(payload('realm_access', 'roles'), {
            list_match: { one_of: { string_match: { exact: role } } },
          }),
        ),
      },
    });
  }
  for (const scope of scopes) {
    const word = scope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    requirements.push(
      payloadMatches(payload('scope'), { string_match: { safe_regex: { regex: `(^|.* )${word}( .*|$)` } } }),
    );
  }
  if (requirements.length === 0) return undefined;
  return {
    permissions: [{ any: true }],
    principals: [requirements.length === 1 ? requirements[0] : { and_ids: { ids: requirements } }],
  };
}

/** A principal that matches a value in the verified JWT payload (jwt_authn's dynamic metadata). */
function payloadMatches(path: Json[], value: Json): Json {
  return {
    sourced_metadata: {
      metadata_matcher: { filter: jwtFilterName, path, value },
      metadata_source: 'DYNAMIC',
    },
  };
}

/**
 * Envoy's local rate limit with a wildcard descriptor (an empty value): one token bucket per
 * distinct value of the descriptor (client IP or token `sub`), kept in an LRU of
 * max_dynamic_descriptors entries. The buckets are per Envoy process, not shared across replicas.
 */
function tokenBucketPerValue(tier: RateTier, key: string, action: Json): Json {
  const bucket = { max_tokens: tier.rate, tokens_per_fill: tier.rate, fill_interval: `${tier.per}s` };
  const enabled = {
    default_value: { numerator: 100, denominator: 'HUNDRED' },
    runtime_key: 'edge_rate_limit_enabled',
  };
  return {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
    stat_prefix: `edge_rate_limit_${key}`,
    // Required on a per-route config; only used when no descriptor value could be extracted.
    token_bucket: bucket,
    filter_enabled: enabled,
    filter_enforced: { ...enabled, runtime_key: 'edge_rate_limit_enforced' },
    always_consume_default_token_bucket: false,
    max_dynamic_descriptors: 10000,
    descriptors: [{ entries: [{ key, value: '' }], token_bucket: bucket }],
    rate_limits: [{ actions: [action] }],
    // A bucket refills fully every fill interval: that is the longest a client has to wait.
    response_headers_to_add: [
      {
        append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
        header: { key: 'retry-after', value: String(tier.per) },
      },
    ],
  };
}

function jwtAuthn(map: AccessMap, env: Environment): Json {
  const oidc = oidcOf(env);
  return {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
    providers: {
      [jwtProvider]: {
        issuer: oidc.issuer,
        audiences: [oidc.audience],
        remote_jwks: {
          http_uri: { uri: oidc.jwksUri, cluster: keycloakCluster, timeout: '5s' },
          // Tyk's JWKS cache lives 240 s too: both edges see a rotated key after the same delay.
          cache_duration: '240s',
          // Fetched when the listener starts, so the first request does not wait for Keycloak.
          async_fetch: {},
          retry_policy: { num_retries: 3 },
        },
        // Only the Authorization header: Envoy would also read ?access_token=, and tokens in URLs
        // end up in logs and browser histories (OAuth 2.0 Security BCP).
        from_headers: [{ name: 'Authorization', value_prefix: 'Bearer ' }],
        // The token goes on to the service, which validates it again.
        forward: true,
        payload_in_metadata: jwtPayloadKey,
        // Lets the local reply mapping tell a refused token (401) from a refused role (403).
        failed_status_in_metadata: jwtFailureKey,
        clock_skew_seconds: map.limits.tokenClockSkewSeconds,
      },
    },
    requirement_map: { [jwtProvider]: { provider_name: jwtProvider } },
  };
}

function corsPolicy(browserOrigin: string): Json {
  return {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
    allow_origin_string_match: [{ exact: browserOrigin }],
    allow_methods: 'GET, POST, PUT, PATCH, DELETE',
    allow_headers: 'authorization, content-type, idempotency-key, if-match, x-request-id',
    expose_headers: 'etag, location, retry-after, x-request-id',
    max_age: '600',
  };
}

/** Statuses the edge itself answers with, and the RFC 9457 title of each. */
export const edgeProblemTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Every reply the edge produces itself (never an upstream's) becomes an application/problem+json body. */
function problemLocalReplies(): Json {
  const problem = (title: string) => ({
    json_format: {
      type: 'about:blank',
      title,
      status: '%RESPONSE_CODE%',
      detail: '%LOCAL_REPLY_BODY%',
      instance: '%PATH(NQ)%',
    },
    content_type: 'application/problem+json',
  });
  // jwt_authn answers 403 for a token whose audience is wrong; RFC 6750 makes every invalid token a
  // 401 (and the services answer 401 too), so any refusal by jwt_authn becomes one.
  const refusedToken = {
    filter: {
      and_filter: {
        filters: [
          {
            status_code_filter: {
              comparison: { op: 'EQ', value: { default_value: 403, runtime_key: 'edge_jwt_403' } },
            },
          },
          {
            metadata_filter: {
              matcher: {
                filter: jwtFilterName,
                path: [{ key: jwtFailureKey }, { key: 'code' }],
                value: { present_match: true },
              },
              // The default would match a reply without any JWT failure recorded (an RBAC refusal).
              match_if_key_not_found: false,
            },
          },
        ],
      },
    },
    status_code: 401,
    body_format_override: problem(edgeProblemTitles[401]!),
  };
  return {
    mappers: [
      refusedToken,
      ...Object.entries(edgeProblemTitles).map(([status, title]) => ({
        filter: {
          status_code_filter: {
            comparison: {
              op: 'EQ',
              value: { default_value: Number(status), runtime_key: `edge_problem_${status}` },
            },
          },
        },
        body_format_override: problem(title),
      })),
    ],
    body_format: problem('Request failed'),
  };
}

/**
 * One access-log line per request on stdout, `[time] METHOD path status flags` then `details`.
 * The path is logged without its query string: a query may carry data that must not reach logs.
 */
export function stdoutAccessLog(details: string): Json {
  return {
    name: 'envoy.access_loggers.stdout',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
      log_format: {
        text_format_source: {
          inline_string: `[%START_TIME%] %REQ(:METHOD)% %PATH(NQ)% %RESPONSE_CODE% %RESPONSE_FLAGS% ${details}\n`,
        },
      },
    },
  };
}

export function upstreamCluster(name: string, address: HostPort, connectTimeoutMs: number): Json {
  return {
    name,
    type: 'STRICT_DNS',
    dns_lookup_family: 'V4_ONLY',
    // A dead upstream fails the connect fast (503), it never hangs the caller.
    connect_timeout: `${connectTimeoutMs / 1000}s`,
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(address) } }] }],
    },
  };
}

function jwksCluster(env: Environment, connectTimeoutMs: number): Json {
  const url = new URL(oidcOf(env).jwksUri);
  const https = url.protocol === 'https:';
  const port = Number(url.port || (https ? 443 : 80));
  return {
    ...upstreamCluster(keycloakCluster, { host: url.hostname, port }, connectTimeoutMs),
    ...(https
      ? {
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
              sni: url.hostname,
            },
          },
        }
      : {}),
  };
}
