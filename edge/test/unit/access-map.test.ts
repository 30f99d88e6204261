/**
 * One access map, one environment source: the services' guards, the Envoy rendering and the Tyk
 * rendering agree with edge/access-map.yaml, and every consumer of an environment agrees with it.
 *
 * A route added to a router and not to the map (or the reverse) fails here, by name: add it to
 * edge/access-map.yaml with the same access, then `npm run render`.
 */
import { listRoutes, type RouteDeclaration } from '@platform/kit';
import { describe, expect, it } from 'vitest';
import {
  loadEnvironment,
  loadSecrets,
  oidcOf,
  serviceNames,
  type ServiceName,
} from '@platform/platform/environment';
import { renderRealm } from '@platform/platform/realm';
import { serviceEnv } from '@platform/platform/service-env';
import { loadAccessMap } from '@platform/platform/access-map';
import {
  isInternalPath,
  isPublicRoute,
  routesOf,
  type AccessMapRoute,
} from '@platform/platform/access-map-schema';
import { jwtFilterName, rbacFilterName, renderEnvoyEdge } from '@platform/platform/edge/envoy';
import { apiIdOf, renderTyk, rolePolicyIdOf } from '@platform/platform/edge/tyk';
import { services } from '@platform/platform/topology';
import { service as authService } from '../../../services/auth/src/service.js';
import { service as billingService } from '../../../services/billing/src/service.js';
import { service as userService } from '../../../services/user/src/service.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered config, read by path

const map = loadAccessMap();
const definitions = { auth: authService, user: userService, billing: billingService } as const;

/** Who may call a route, normalised so the map, the guards and both edges compare equal. */
function accessOf(access: { public: true } | { roles: readonly string[]; scopes?: readonly string[] }) {
  return 'public' in access
    ? 'public'
    : { roles: [...access.roles].sort(), scopes: [...(access.scopes ?? [])].sort() };
}

const key = (method: string, path: string) => `${method} ${path}`;

function guardedRoutes(service: ServiceName): RouteDeclaration[] {
  return listRoutes(definitions[service] as Parameters<typeof listRoutes>[0]).filter(
    (route) => !isInternalPath(route.path),
  );
}

describe.each(serviceNames)('%s service: routers and the access map', (service) => {
  const mapped = new Map(map.services[service].routes.map((route) => [key(route.method, route.path), route]));
  const guarded = new Map(guardedRoutes(service).map((route) => [key(route.method, route.path), route]));

  const hidden = new Set(
    (map.services[service].notExposed ?? []).map((route) => key(route.method, route.path)),
  );

  it('when a router declares a route, then the map lists it (internal and notExposed routes excepted)', () => {
    expect([...guarded.keys()].filter((route) => !mapped.has(route) && !hidden.has(route))).toEqual([]);
  });

  it('when the map keeps a route from the edge, then a router declares it', () => {
    expect([...hidden].filter((route) => !guarded.has(route))).toEqual([]);
  });

  it('when the map lists a route, then a router declares it', () => {
    expect([...mapped.keys()].filter((route) => !guarded.has(route))).toEqual([]);
  });

  it('when both list a route, then they require the same access', () => {
    const differing = [...mapped].flatMap(([route, entry]) => {
      const declared = guarded.get(route);
      if (!declared) return [];
      const inMap = accessOf(entry);
      const inRouter = accessOf(declared.access);
      return JSON.stringify(inMap) === JSON.stringify(inRouter) ? [] : [{ route, inMap, inRouter }];
    });
    expect(differing).toEqual([]);
  });
});

describe.each(serviceNames)('%s service: internal routes and the access map', (service) => {
  it('when a router declares an internal route, then the map lists it with the same roles, and back', () => {
    const declared = listRoutes(definitions[service] as Parameters<typeof listRoutes>[0])
      .filter((route) => isInternalPath(route.path))
      .map((route) => ({ route: key(route.method, route.path), access: accessOf(route.access) }));
    const mapped = (map.services[service].internal ?? []).map((route) => ({
      route: key(route.method, route.path),
      access: accessOf({ roles: route.roles }),
    }));
    const byRoute = (a: { route: string }, b: { route: string }) => a.route.localeCompare(b.route);
    expect(mapped.sort(byRoute)).toEqual(declared.sort(byRoute));
  });

  it('when the map names a caller of an internal route, then the topology says that service calls this one', () => {
    for (const route of map.services[service].internal ?? []) {
      for (const caller of route.callers) expect(services[caller].calls, caller).toContain(service);
    }
  });
});

describe('the access map', () => {
  it('when loaded, then no route is internal and every route belongs to its service prefix', () => {
    for (const { service, route } of routesOf(map)) {
      expect(isInternalPath(route.path)).toBe(false);
      const prefix = map.services[service].pathPrefix;
      expect(route.path === prefix || route.path.startsWith(`${prefix}/`)).toBe(true);
    }
  });
});

describe('the Tyk rendering, the Envoy rendering and the service guards agree on every route', () => {
  const local = loadEnvironment('local');
  const envoy = renderEnvoyEdge(map, local) as Json;
  const envoyRoutes: Json[] =
    envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0]
      .routes;
  const tyk = renderTyk(map, loadEnvironment('cluster')) as Map<string, Json>;
  const policies = [...tyk].filter(([path]) => path.startsWith('policies/')).map(([, policy]) => policy);

  /** What Envoy enforces on a route: no JWT requirement, or a JWT plus any of the RBAC roles. */
  function envoyAccess(service: ServiceName, route: AccessMapRoute) {
    const rendered = envoyRoutes.find(
      (candidate) => candidate.name === `${service} ${route.method} ${route.path}`,
    );
    expect(rendered, `${service} ${route.method} ${route.path} in Envoy`).toBeDefined();
    const filters = rendered!.typed_per_filter_config;
    if (filters[jwtFilterName].disabled === true) return 'public';
    expect(filters[jwtFilterName].requirement_name).toBeTruthy();
    const policy = filters[rbacFilterName]?.rbac.rules.policies[key(route.method, route.path)];
    const principal = policy?.principals[0];
    const anyOf: Json[] = principal?.or_ids?.ids ?? principal?.and_ids?.ids[0]?.or_ids?.ids ?? [];
    const roles = anyOf.map(
      (id) => id.sourced_metadata.metadata_matcher.value.list_match.one_of.string_match.exact,
    );
    const scopes: string[] = (principal?.and_ids?.ids.slice(1) ?? []).map((id: Json) =>
      /\)(.+)\(/
        .exec(id.sourced_metadata.metadata_matcher.value.string_match.safe_regex.regex)![1]!
        .replace(/\\/g, ''),
    );
    return { roles: roles.sort(), scopes: scopes.sort() };
  }

  /** What Tyk enforces: ignored authentication, or the roles whose policies allow the path and method. */
  function tykAccess(service: ServiceName, route: AccessMapRoute) {
    const oas = tyk.get(`apps/${apiIdOf(map, service)}-oas.json`)!;
    const relative =
      route.path.slice(map.services[service].pathPrefix.length).replace(/:(\w+)/g, '{$1}') || '/';
    const operation = oas.paths[relative]?.[route.method.toLowerCase()];
    expect(operation, `${route.method} ${relative} in the ${service} OAS document`).toBeDefined();
    const middleware = oas['x-tyk-api-gateway'].middleware.operations[operation.operationId];
    if (middleware.ignoreAuthentication?.enabled === true) return 'public';
    const concrete = `${map.apiPrefix}${route.path.replace(/:\w+/g, 'some-id')}`;
    const granting = policies.filter((policy) =>
      (policy.access_rights[apiIdOf(map, service)]?.allowed_urls ?? []).some(
        (allowed: Json) => allowed.methods.includes(route.method) && new RegExp(allowed.url).test(concrete),
      ),
    );
    const roles = Object.keys(map.roleTiers).filter((role) =>
      granting.some((policy) => policy.id === rolePolicyIdOf(map, role)),
    );
    return { roles: roles.sort(), scopes: [] as string[] };
  }

  it.each(
    routesOf(map).map(({ service, route }) => ({ service, route, name: `${route.method} ${route.path}` })),
  )('when $name is checked, then map, guard, Envoy and Tyk say the same', ({ service, route }) => {
    const expected = accessOf(route);
    const declared = guardedRoutes(service).find((r) => r.method === route.method && r.path === route.path);
    expect(declared && accessOf(declared.access)).toEqual(expected);
    expect(envoyAccess(service, route)).toEqual(expected);
    // Tyk maps roles to policies; it has no scope check per route (the services check scopes).
    const tykExpected = expected === 'public' ? 'public' : { ...expected, scopes: [] };
    expect(tykAccess(service, route)).toEqual(tykExpected);
    expect(isPublicRoute(route)).toBe(expected === 'public');
  });
});

describe.each(['local', 'cluster'])('the %s environment source', (name) => {
  const env = loadEnvironment(name);
  const oidc = oidcOf(env);
  const secrets = loadSecrets();

  it('when the services are configured, then they check the same issuer, JWKS and audience', () => {
    for (const service of serviceNames) {
      expect(serviceEnv(service, env, secrets)).toMatchObject({
        OIDC_ISSUER_URL: oidc.issuer,
        OIDC_JWKS_URL: oidc.jwksUri,
        OIDC_AUDIENCE: oidc.audience,
      });
    }
  });

  it('when the realm is rendered, then it issues that audience to that browser origin', () => {
    const realm = renderRealm(env, secrets, { dev: name === 'local' }) as Json;
    expect(realm.realm).toBe(env.realm);
    const audience = realm.clientScopes.find((scope: Json) => scope.name === 'api-audience');
    expect(audience.protocolMappers[0].config['included.custom.audience']).toBe(env.apiAudience);
    const web = realm.clients.find((client: Json) => client.clientId === 'platform-web');
    expect(web.webOrigins).toEqual([env.browserOrigin]);
    expect(`${env.keycloak.publicUrl}/realms/${realm.realm}`).toBe(oidc.issuer);
  });

  it('when the edges are rendered, then Envoy and Tyk check the same issuer, JWKS, audience and origin', () => {
    const envoy = renderEnvoyEdge(map, env) as Json;
    const hcm = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    const jwt = hcm.http_filters.find((filter: Json) => filter.name === jwtFilterName).typed_config.providers
      .keycloak;
    expect(jwt).toMatchObject({ issuer: oidc.issuer, audiences: [oidc.audience] });
    expect(jwt.remote_jwks.http_uri.uri).toBe(oidc.jwksUri);
    expect(
      hcm.route_config.virtual_hosts[0].typed_per_filter_config['envoy.filters.http.cors']
        .allow_origin_string_match,
    ).toEqual([{ exact: env.browserOrigin }]);

    for (const [path, file] of renderTyk(map, env) as Map<string, Json>) {
      if (!path.endsWith('-oas.json')) continue;
      const scheme = Object.values(
        file['x-tyk-api-gateway'].server.authentication.securitySchemes,
      )[0] as Json;
      expect(scheme).toMatchObject({
        allowedIssuers: [oidc.issuer],
        allowedAudiences: [oidc.audience],
        jwksURIs: [{ url: oidc.jwksUri }],
      });
      expect(file['x-tyk-api-gateway'].middleware.global.cors.allowedOrigins).toEqual([env.browserOrigin]);
    }
  });
});
