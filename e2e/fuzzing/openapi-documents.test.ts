/**
 * Every service's OpenAPI document, as the fuzzing suite reads it: valid OpenAPI 3.1, one
 * operation per served route with the access its RouteTable declares, every error a problem
 * document, and no string that would admit what the kit refuses (a NUL character).
 */
import { compileErrors, validate } from '@readme/openapi-parser';
import { listRoutes, openApiPathOf, type OpenApiDocument } from '@platform/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@platform/platform/environment';
import { apiOf } from '@platform/test-support/service-api';
import { service as authService } from '../../services/auth/src/service.js';
import { service as billingService } from '../../services/billing/src/service.js';
import { service as userService } from '../../services/user/src/service.js';

const definitions = { auth: authService, user: userService, billing: billingService } as const;

type Json = Record<string, unknown>;
interface Operation {
  readonly security: unknown;
  readonly 'x-required-roles'?: readonly string[];
  readonly responses: Record<string, { content?: Record<string, unknown> }>;
}

/** Every schema object in the document, wherever it is nested. */
function schemasIn(value: unknown, found: Json[] = []): Json[] {
  if (Array.isArray(value)) for (const item of value) schemasIn(item, found);
  else if (typeof value === 'object' && value !== null) {
    if ('type' in value && typeof (value as Json).type === 'string') found.push(value as Json);
    for (const member of Object.values(value)) schemasIn(member, found);
  }
  return found;
}

describe.each(['auth', 'user', 'billing'] as const satisfies readonly ServiceName[])(
  'the %s service’s OpenAPI document at /docs/openapi.json',
  (service) => {
    let document: OpenApiDocument;
    const routes = listRoutes(definitions[service] as Parameters<typeof listRoutes>[0]);
    const operationOf = (method: string, path: string) =>
      document.paths[openApiPathOf(path)]?.[method.toLowerCase()] as Operation;

    beforeAll(async () => {
      const response = await apiOf(service)('GET', '/docs/openapi.json');
      expect(response.status).toBe(200);
      document = response.body as unknown as OpenApiDocument;
    });

    it('when validated against the OpenAPI 3.1 specification, then it is valid', async () => {
      expect(document.openapi).toBe('3.1.0');

      const result = await validate(structuredClone(document) as never);

      expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    });

    it('when compared with the service’s routes, then every route is one operation', () => {
      const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      );
      const served = routes.map((route) => `${route.method} ${openApiPathOf(route.path)}`);

      expect(served).toEqual(expect.arrayContaining(['GET /docs', 'GET /docs/openapi.json']));
      expect([...documented].sort()).toEqual([...served].sort());
    });

    it('when an operation is protected, then it requires the bearer token and names its route’s roles', () => {
      for (const route of routes) {
        const operation = operationOf(route.method, route.path);
        const name = `${route.method} ${route.path}`;
        if ('public' in route.access) {
          expect(operation.security, name).toEqual([]);
        } else {
          expect(operation.security, name).toEqual([{ bearerAuth: [] }]);
          expect(operation['x-required-roles'], name).toEqual(route.access.roles);
          expect(Object.keys(operation.responses), name).toEqual(expect.arrayContaining(['401', '403']));
        }
      }
    });

    it('when an operation can fail, then every error is a problem document and 400 is among them', () => {
      for (const route of routes) {
        const { responses } = operationOf(route.method, route.path);
        expect(Object.keys(responses), `${route.method} ${route.path}`).toContain('400');
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) < 400) continue;
          expect(Object.keys(response.content ?? {}), `${route.method} ${route.path} ${status}`).toEqual([
            'application/problem+json',
          ]);
        }
      }
    });

    it('when a string is described anywhere, then its patterns refuse the NUL character the kit refuses', () => {
      const strings = schemasIn(document).filter(
        (schema) => schema.type === 'string' && !('enum' in schema) && !('const' in schema),
      );
      const admitsNul = strings.filter((schema) => {
        const patterns = [schema.pattern, ...((schema.allOf ?? []) as Json[]).map((entry) => entry.pattern)];
        return patterns.every(
          (pattern) => typeof pattern !== 'string' || new RegExp(pattern, 'u').test('text\u0000text'),
        );
      });

      expect(strings.length).toBeGreaterThan(0);
      expect(admitsNul).toEqual([]);
    });
  },
);
