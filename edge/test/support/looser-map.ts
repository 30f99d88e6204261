import type { AccessMap } from '@platform/platform/access-map-schema';

/**
 * A deliberately wrong map: the audit log (admin only in the auth service and in mesh/) opened to
 * support at the edge. What stands behind the edge must still refuse support.
 */
export function auditOpenedToSupport(map: AccessMap): AccessMap {
  const auth = map.services.auth;
  return {
    ...map,
    services: {
      ...map.services,
      auth: {
        ...auth,
        routes: auth.routes.map((route) =>
          route.path === '/auth/audit' && 'roles' in route
            ? { ...route, roles: ['admin', 'support'] }
            : route,
        ),
      },
    },
  };
}
