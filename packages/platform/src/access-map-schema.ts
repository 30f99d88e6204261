import { z } from 'zod';
import { type ServiceName, serviceNames } from './topology.js';

/**
 * The access map (edge/access-map.yaml): every route the edge exposes, who may call it and at what
 * rate, and the internal routes services call each other on (east-west, through the mesh). Both edges are rendered from it (Tyk in a cluster, Envoy locally) and the
 * services' own route guards are checked against it, so the three cannot drift apart.
 */

export const accessMapMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const roleName = z.string().regex(/^[a-z][a-z0-9:_-]*$/, 'a realm role name');

/** A token bucket: `rate` requests per `per` seconds (and, in Tyk only, an optional quota). */
export const rateTierSchema = z
  .object({
    rate: z.number().int().positive(),
    per: z.number().int().positive(),
    quota: z
      .object({ requests: z.number().int().positive(), perSeconds: z.number().int().positive() })
      .strict()
      .optional(),
  })
  .strict();

const routeBase = {
  method: z.enum(accessMapMethods),
  /** The service's own Express path template, e.g. /users/:id; at the edge it sits under apiPrefix. */
  path: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+|\/:[A-Za-z][A-Za-z0-9_]*)+$/, 'an Express path template such as /users/:id'),
  /** Name of a tier: per client IP on public routes, per identity (`sub`) on protected ones. */
  tier: z.string(),
};

export const accessMapRouteSchema = z.union([
  z.object({ ...routeBase, public: z.literal(true) }).strict(),
  z
    .object({
      ...routeBase,
      /** Any of these realm roles; an empty list means any authenticated caller. */
      roles: z.array(roleName),
      /** All of these scopes (the `scope` claim), when given. */
      scopes: z.array(z.string().min(1)).optional(),
    })
    .strict(),
]);

const serviceName = z.enum(serviceNames as [ServiceName, ...ServiceName[]]);

/** A route under /internal that other services call through the mesh, never through an edge. */
export const internalRouteSchema = z
  .object({
    method: z.enum(accessMapMethods),
    path: routeBase.path.refine(
      (path) => path.split('/').includes('internal'),
      'an internal route has an `internal` path segment',
    ),
    /** The services whose workload identity may call it. */
    callers: z.array(serviceName).min(1),
    /** Any of these roles in the caller's client-credentials token. */
    roles: z.array(roleName).min(1),
  })
  .strict();

export const accessMapServiceSchema = z
  .object({
    /** Every route of the service starts with it; the edge serves it under apiPrefix. */
    pathPrefix: z.string().regex(/^\/[a-z][a-z0-9-]*$/),
    routes: z.array(accessMapRouteSchema).min(1),
    /** Routes the service serves that no edge exposes, on purpose (besides /internal/…, never exposed). */
    notExposed: z
      .array(z.object({ method: z.enum(accessMapMethods), path: z.string().startsWith('/') }).strict())
      .optional(),
    /** Routes other services call (east-west); the mesh admits only the callers named. */
    internal: z.array(internalRouteSchema).optional(),
  })
  .strict();

export const accessMapSchema = z
  .object({
    /** The versioned prefix every public route is served under, e.g. /api/v1. */
    apiPrefix: z.string().regex(/^(\/[a-z0-9]+)+$/),
    /** Tyk's organisation: APIs and policies must carry the same id or the policies are skipped. */
    orgId: z.string().min(1),
    limits: z
      .object({
        /** Largest request body the edge accepts (413 beyond). */
        requestBodyBytes: z.number().int().positive(),
        /** How long the edge waits for an upstream response (504 beyond). */
        upstreamTimeoutSeconds: z.number().int().positive(),
        /** How long the edge waits to connect to an upstream (503 beyond). */
        upstreamConnectTimeoutMs: z.number().int().positive(),
        /** Leeway on a token's exp, nbf and iat, the same at both edges. */
        tokenClockSkewSeconds: z.number().int().nonnegative(),
      })
      .strict(),
    tiers: z.record(z.string(), rateTierSchema),
    /**
     * Tyk policies: the tier a token gets from each realm role it holds (the highest rate wins).
     * A token holding none of these roles is refused at the cluster edge, so every role a route
     * names must be here.
     */
    roleTiers: z.record(roleName, z.string()),
    services: z.record(serviceName, accessMapServiceSchema),
  })
  .strict()
  .superRefine((map, ctx) => {
    const tier = (name: string, path: (string | number)[]) => {
      if (!(name in map.tiers)) ctx.addIssue({ code: 'custom', path, message: `unknown tier "${name}"` });
    };
    for (const [role, name] of Object.entries(map.roleTiers)) tier(name, ['roleTiers', role]);
    for (const [service, { pathPrefix, routes, notExposed }] of Object.entries(map.services)) {
      const seen = new Set<string>();
      routes.forEach((route, index) => {
        const at = ['services', service, 'routes', index];
        tier(route.tier, [...at, 'tier']);
        if (route.path !== pathPrefix && !route.path.startsWith(`${pathPrefix}/`)) {
          ctx.addIssue({ code: 'custom', path: at, message: `${route.path} is outside ${pathPrefix}` });
        }
        if (isInternalPath(route.path)) {
          ctx.addIssue({
            code: 'custom',
            path: at,
            message: `${route.path}: /internal routes are never exposed`,
          });
        }
        for (const role of 'roles' in route ? route.roles : []) {
          if (!(role in map.roleTiers)) {
            const message = `role "${role}" has no entry in roleTiers: the cluster edge could never grant it`;
            ctx.addIssue({ code: 'custom', path: [...at, 'roles'], message });
          }
        }
        const key = `${route.method} ${route.path}`;
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: at, message: `${key} is listed twice` });
        seen.add(key);
      });
      for (const hidden of notExposed ?? []) {
        if (seen.has(`${hidden.method} ${hidden.path}`)) {
          const message = `${hidden.method} ${hidden.path} is both exposed and not exposed`;
          ctx.addIssue({ code: 'custom', path: ['services', service, 'notExposed'], message });
        }
      }
    }
  });

export type AccessMap = z.output<typeof accessMapSchema>;
export type AccessMapRoute = z.output<typeof accessMapRouteSchema>;
export type RateTier = z.output<typeof rateTierSchema>;
export type InternalRoute = z.output<typeof internalRouteSchema>;
export type AccessMapService = keyof AccessMap['services'];

/** Routes under an `internal` path segment serve other services only; no edge ever routes them. */
export function isInternalPath(path: string): boolean {
  return path.split('/').includes('internal');
}

export function isPublicRoute(route: AccessMapRoute): route is Extract<AccessMapRoute, { public: true }> {
  return 'public' in route;
}

/** The path a client calls at the edge for a service route. */
export function edgePathOf(map: AccessMap, route: AccessMapRoute): string {
  return `${map.apiPrefix}${route.path}`;
}

/** Every route with the service that owns it, in map order. */
export function routesOf(map: AccessMap): { service: AccessMapService; route: AccessMapRoute }[] {
  return Object.entries(map.services).flatMap(([service, { routes }]) =>
    routes.map((route) => ({ service: service as AccessMapService, route })),
  );
}

/**
 * An Express path template as a regular expression body (RE2: no lookaround, for Envoy and Tyk
 * alike). A `:param` matches one non-empty segment, except the literal a sibling template has in
 * that place: `/accounts/:userId` does not match `/accounts/me` when `/accounts/me` is a route of
 * its own, whichever order the routes are listed in.
 */
export function pathTemplatePattern(template: string, siblings: readonly string[] = []): string {
  const segments = template.split('/');
  return segments
    .map((segment, index) => {
      if (!segment.startsWith(':')) return escapeRegExp(segment);
      const literals = siblings
        .filter((sibling) => sibling !== template)
        .map((sibling) => sibling.split('/'))
        .filter(
          (other) =>
            other.length === segments.length &&
            !other[index]!.startsWith(':') &&
            other.every(
              (part, j) =>
                j === index || part === segments[j] || part.startsWith(':') || segments[j]!.startsWith(':'),
            ),
        )
        .map((other) => other[index]!);
      return literals.length === 0 ? '[^/]+' : segmentExcluding([...new Set(literals)]);
    })
    .join('/');
}

/** The other templates of the same method in a service: the ones pathTemplatePattern must not match. */
export function siblingTemplates(routes: readonly AccessMapRoute[], route: AccessMapRoute): string[] {
  return routes
    .filter((other) => other.method === route.method && other !== route)
    .map((other) => other.path);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Trie {
  terminal: boolean;
  children: Map<string, Trie>;
}

/** One non-empty path segment that is none of `words`, as a regular expression without lookaround. */
function segmentExcluding(words: string[]): string {
  const root: Trie = { terminal: false, children: new Map() };
  for (const word of words) {
    let node = root;
    for (const char of word) {
      if (!node.children.has(char)) node.children.set(char, { terminal: false, children: new Map() });
      node = node.children.get(char)!;
    }
    node.terminal = true;
  }
  // At each trie node: leave the trie (a character no word continues with), or follow it; a node
  // where no word ends may also stop there.
  const rest = (node: Trie, mayStop: boolean): string => {
    const chars = [...node.children.keys()];
    const leave = `[^/${chars.map((char) => char.replace(/[\]\\^-]/g, '\\$&')).join('')}][^/]*`;
    const follow = chars.map((char) => `${escapeRegExp(char)}${rest(node.children.get(char)!, true)}`);
    const body = `(?:${[leave, ...follow].join('|')})`;
    return mayStop && !node.terminal ? `${body}?` : body;
  };
  return rest(root, false);
}
