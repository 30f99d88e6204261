/**
 * tyk/ (the cluster edge) is what Tyk 5.10+ reads from files, rendered from the access map and
 * environments/cluster.yaml. These checks read the files; `npm run test:tyk` runs them in a real
 * gateway (it needs a Tyk binary, so it is not part of `npm test`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironment, oidcOf, repoRoot, serviceNames } from '@platform/platform/environment';
import { loadAccessMap } from '@platform/platform/access-map';
import { edgePathOf, isInternalPath, isPublicRoute } from '@platform/platform/access-map-schema';
import { tykDir } from '@platform/platform/edge/tyk-files';
import {
  apiIdOf,
  rolePolicyIdOf,
  rolesClaim,
  rs256SigningMethod,
  tykMessagePlaceholder,
  tykMounts,
} from '@platform/platform/edge/tyk';
import { claimsOf, userToken } from '@platform/test-support/tokens';
import { oasDocumentSchema } from './support/tyk-oas-schema.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Tyk files, read by path

const map = loadAccessMap();
const cluster = loadEnvironment('cluster');
const oidc = oidcOf(cluster);
const read = (path: string): Json => JSON.parse(readFileSync(join(tykDir, path), 'utf8')) as Json;
const filesIn = (folder: string) => readdirSync(join(tykDir, folder)).sort();
const apis = serviceNames.map((service) => ({
  service,
  classic: read(`apps/${apiIdOf(map, service)}.json`),
  oas: read(`apps/${apiIdOf(map, service)}-oas.json`),
}));
const jwtOf = (oas: Json): Json =>
  Object.values(oas['x-tyk-api-gateway'].server.authentication.securitySchemes)[0] as Json;
const policies = filesIn('policies').map((file) => ({ file, policy: read(`policies/${file}`) }));

describe('Tyk OAS APIs', () => {
  it('when Tyk loads apps/, then every -oas.json has its classic companion with is_oas and the same id', () => {
    const files = filesIn('apps');
    const oasFiles = files.filter((file) => file.endsWith('-oas.json'));
    expect(oasFiles).toHaveLength(serviceNames.length);
    for (const oasFile of oasFiles) {
      const companion = oasFile.replace(/-oas\.json$/, '.json');
      expect(files).toContain(companion);
      const classic = read(`apps/${companion}`);
      const oas = read(`apps/${oasFile}`);
      expect(classic.is_oas).toBe(true);
      expect(classic.api_id).toBe(oas['x-tyk-api-gateway'].info.id);
      expect(classic.org_id).toBe(oas['x-tyk-api-gateway'].info.orgId);
    }
    expect(files.filter((file) => !file.endsWith('-oas.json'))).toHaveLength(serviceNames.length);
  });

  it.each(apis)(
    'when the $service OAS document is checked against Tyk’s strict extension schema, then it conforms',
    ({ oas }) => {
      const parsed = oasDocumentSchema.safeParse(oas);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    },
  );

  it.each(apis)(
    'when $service is served, then under /api/v1/<prefix>, stripped to the service’s own paths',
    ({ service, classic, oas }) => {
      const listenPath = `${map.apiPrefix}${map.services[service].pathPrefix}`;
      const upstream = `http://${cluster.services[service].host}:${cluster.services[service].port}${map.services[service].pathPrefix}`;
      expect(oas['x-tyk-api-gateway'].server.listenPath).toEqual({ value: listenPath, strip: true });
      expect(oas['x-tyk-api-gateway'].upstream.url).toBe(upstream);
      expect(classic.proxy).toMatchObject({
        listen_path: listenPath,
        target_url: upstream,
        strip_listen_path: true,
      });
    },
  );

  it.each(apis)(
    'when $service validates a JWT, then with Keycloak’s JWKS, RS256, issuer, audience, skipKid and sub',
    ({ classic, oas }) => {
      const jwt = jwtOf(oas);
      expect(jwt).toMatchObject({
        enabled: true,
        signingMethod: rs256SigningMethod,
        jwksURIs: [{ url: oidc.jwksUri }],
        allowedIssuers: [oidc.issuer],
        allowedAudiences: [oidc.audience],
        skipKid: true,
        identityBaseField: 'sub',
        subjectClaims: ['sub'],
      });
      expect(classic).toMatchObject({
        enable_jwt: true,
        use_keyless: false,
        jwt_signing_method: rs256SigningMethod,
        jwt_jwks_uris: [{ url: oidc.jwksUri }],
        jwt_skip_kid: true,
        jwt_identity_base_field: 'sub',
      });
      // The token goes on to the service, which validates it again.
      expect(oas['x-tyk-api-gateway'].server.authentication.stripAuthorizationData).toBe(false);
      expect(classic.strip_auth_data).toBe(false);
    },
  );

  it.each(apis)(
    'when $service lists public routes, then exactly the map’s public routes skip authentication',
    ({ service, classic, oas }) => {
      const publicInMap = map.services[service].routes
        .filter(isPublicRoute)
        .map((route) => `${route.method} ${edgePathOf(map, route)}`)
        .sort();
      const operations = oas['x-tyk-api-gateway'].middleware.operations as Json;
      const publicInOas = Object.entries(oas.paths as Json)
        .flatMap(([path, methods]) =>
          Object.entries(methods as Json)
            .filter(([, op]) => operations[(op as Json).operationId]?.ignoreAuthentication?.enabled === true)
            .map(
              ([method]) =>
                `${method.toUpperCase()} ${map.apiPrefix}${map.services[service].pathPrefix}${path.replace(/\{(\w+)\}/g, ':$1')}`,
            ),
        )
        .sort();
      expect(publicInOas).toEqual(publicInMap);
      const ignored = classic.version_data.versions.Default.extended_paths.ignored as Json[];
      expect(
        ignored
          .map(
            (e) =>
              `${e.method} ${map.apiPrefix}${map.services[service].pathPrefix}${e.path.replace(/\{(\w+)\}/g, ':$1')}`,
          )
          .sort(),
      ).toEqual(publicInMap);
    },
  );

  it.each(apis)(
    'when $service serves a route, then only from the map (allow list), never /internal, with timeout and size limit',
    ({ service, classic, oas }) => {
      const operations = oas['x-tyk-api-gateway'].middleware.operations as Json;
      expect(Object.keys(operations)).toHaveLength(map.services[service].routes.length);
      for (const path of Object.keys(oas.paths as Json)) expect(isInternalPath(path)).toBe(false);
      for (const op of Object.values(operations) as Json[]) {
        expect(op.allow).toEqual({ enabled: true });
        expect(op.enforceTimeout).toEqual({ enabled: true, value: map.limits.upstreamTimeoutSeconds });
      }
      expect(oas['x-tyk-api-gateway'].middleware.global.requestSizeLimit).toEqual({
        enabled: true,
        value: map.limits.requestBodyBytes,
      });
      const version = classic.version_data.versions.Default;
      expect(version.global_size_limit).toBe(map.limits.requestBodyBytes);
      expect(version.extended_paths.white_list).toHaveLength(map.services[service].routes.length);
      expect(JSON.stringify(classic)).not.toContain('/internal');
    },
  );

  it.each(apis)('when $service limits public routes, then with the route’s tier', ({ service, oas }) => {
    const operations = oas['x-tyk-api-gateway'].middleware.operations as Json;
    for (const route of map.services[service].routes.filter(isPublicRoute)) {
      const relative = route.path.slice(map.services[service].pathPrefix.length);
      const op = operations[oas.paths[relative][route.method.toLowerCase()].operationId];
      const tier = map.tiers[route.tier]!;
      expect(op.rateLimit).toEqual({ enabled: true, rate: tier.rate, per: `${tier.per}s` });
    }
  });

  it.each(apis)(
    'when a browser calls $service, then CORS allows the browser origin only',
    ({ classic, oas }) => {
      const cors = oas['x-tyk-api-gateway'].middleware.global.cors;
      expect(cors).toMatchObject({
        enabled: true,
        allowedOrigins: [cluster.browserOrigin],
        allowCredentials: false,
      });
      expect(classic.CORS).toMatchObject({ enable: true, allowed_origins: [cluster.browserOrigin] });
    },
  );

  it.each(apis)(
    'when $service maps roles, then from the top-level roles claim to policies that exist',
    ({ classic, oas }) => {
      const ids = new Set(policies.map(({ policy }) => policy.id));
      const jwt = jwtOf(oas);
      // Tyk compares the scope claim name with top-level keys only (OAS APIs): no dotted path.
      expect(rolesClaim).not.toContain('.');
      expect(jwt.scopes).toMatchObject({ claimName: rolesClaim, claims: [rolesClaim] });
      expect(classic.scopes.jwt.scope_claim_name).toBe(rolesClaim);
      for (const { scope, policyId } of jwt.scopes.scopeToPolicyMapping as Json[]) {
        expect(Object.keys(map.roleTiers)).toContain(scope);
        expect(ids).toContain(policyId);
        expect(classic.scopes.jwt.scope_to_policy[scope]).toBe(policyId);
      }
      // A default policy is applied only to a token without the roles claim, and one granting
      // nothing fails every such token with a 500: there is none.
      expect(jwt.defaultPolicies).toEqual([]);
      expect(classic.jwt_default_policies).toEqual([]);
    },
  );
});

describe('the roles claim Tyk maps', () => {
  it.each(['alice', 'sam', 'ada', 'bill'])(
    'when Keycloak issues %s a token, then the realm roles are also a top-level claim holding only mapped roles',
    async (user) => {
      const claims = claimsOf(await userToken(user));
      const roles = claims[rolesClaim] as string[];
      expect(roles).toContain('user');
      expect([...roles].sort()).toEqual([...(claims.realm_access as { roles: string[] }).roles].sort());
      // Tyk logs an error for each role it cannot map, on every request: the browser clients carry
      // only the roles the edge maps (the realm's scope mappings), not Keycloak's default roles.
      expect(roles.filter((role) => !(role in map.roleTiers))).toEqual([]);
    },
  );

  it('when the realm limits browser tokens, then to exactly the roles the map gives tiers (the dev test client may add the service role)', () => {
    const mappings = (file: string) =>
      (
        JSON.parse(readFileSync(join(repoRoot, 'keycloak', file), 'utf8')) as {
          scopeMappings: { client: string; roles: string[] }[];
        }
      ).scopeMappings;
    const web = mappings('realm.json').find(({ client }) => client === 'platform-web')!.roles;
    const tests = mappings('dev/realm-dev.json').find(({ client }) => client === 'platform-tests')!.roles;
    expect([...web].sort()).toEqual(Object.keys(map.roleTiers).sort());
    expect([...tests].sort()).toEqual([...Object.keys(map.roleTiers), 'users:read-internal'].sort());
  });
});

describe('Tyk policies', () => {
  it('when loaded from policy_path, then one policy per file, named by its id, in the APIs’ org', () => {
    const apiIds = new Set(apis.map(({ classic }) => classic.api_id));
    for (const { file, policy } of policies) {
      expect(Array.isArray(policy)).toBe(false);
      expect(file).toBe(`${policy.id}.json`);
      expect(policy.org_id).toBe(map.orgId);
      for (const apiId of Object.keys(policy.access_rights)) expect(apiIds).toContain(apiId);
    }
    for (const { classic } of apis) expect(classic.org_id).toBe(map.orgId);
  });

  it('when a role is mapped, then its policy grants at least one API (Tyk refuses a policy granting nothing)', () => {
    for (const { policy } of policies) expect(Object.keys(policy.access_rights).length).toBeGreaterThan(0);
  });

  it('when a role maps to a tier, then its policy carries that tier’s rate and quota', () => {
    for (const [role, tierName] of Object.entries(map.roleTiers)) {
      const { policy } = policies.find(({ policy }) => policy.id === rolePolicyIdOf(map, role))!;
      const tier = map.tiers[tierName]!;
      expect(policy).toMatchObject({
        rate: tier.rate,
        per: tier.per,
        quota_max: tier.quota?.requests ?? -1,
        quota_renewal_rate: tier.quota?.perSeconds ?? -1,
      });
    }
  });
});

describe('Tyk error templates and gateway configuration', () => {
  it('when Tyk answers an error itself, then the body is an RFC 9457 problem for that status', () => {
    const templates = filesIn('templates');
    expect(templates).toContain('error.json');
    for (const status of [400, 401, 403, 404, 429, 500, 502, 503, 504]) {
      expect(templates).toContain(`error_${status}.json`);
      const problem = read(`templates/error_${status}.json`);
      expect(problem).toMatchObject({ type: 'about:blank', status, detail: tykMessagePlaceholder });
      expect(typeof problem.title).toBe('string');
    }
  });

  it('when the gateway starts, then it reads these folders from files, with no secret in the file', () => {
    const conf = read('tyk.conf');
    expect(conf).toMatchObject({
      use_db_app_configs: false,
      app_path: tykMounts.apps,
      policies: { policy_source: 'file', policy_path: tykMounts.policies },
      template_path: tykMounts.templates,
      listen_port: cluster.edge.port,
      control_api_port: cluster.edge.adminPort,
      storage: { type: 'redis', host: cluster.redis.host, port: cluster.redis.port },
    });
    expect(conf.secret).toBeUndefined();
    expect(conf.node_secret).toBeUndefined();
  });
});
