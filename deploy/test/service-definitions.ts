import { listRoutes, type RouteDeclaration } from '@platform/kit';
import { service as authService } from '../../services/auth/src/service.js';
import { service as billingService } from '../../services/billing/src/service.js';
import { service as userService } from '../../services/user/src/service.js';
import { workloadName } from '@platform/platform/topology';

/** The services' own definitions: their configuration schemas and route declarations. */
export const definitions = { auth: authService, user: userService, billing: billingService } as const;

/** Every route each service's router declares, keyed by its workload name. */
export function routesByWorkload(): Record<string, readonly RouteDeclaration[]> {
  return Object.fromEntries(
    Object.entries(definitions).map(([service, definition]) => [
      workloadName(service as keyof typeof definitions),
      listRoutes(definition as Parameters<typeof listRoutes>[0]),
    ]),
  );
}
