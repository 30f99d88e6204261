import { compileErrors, validate } from '@readme/openapi-parser';
import { listRoutes, openApiPathOf, type OpenApiDocument, type RouteDeclaration } from '@platform/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { service } from '../src/service.js';
import { call } from './support/user-api.js';

describe('the OpenAPI document at /docs/openapi.json', () => {
  let document: OpenApiDocument;
  const routes: readonly RouteDeclaration[] = listRoutes(service);

  beforeAll(async () => {
    const response = await call('GET', '/docs/openapi.json');
    expect(response.status).toBe(200);
    document = response.body as unknown as OpenApiDocument;
  });

  it('when validated against the OpenAPI 3.1 specification, then it is valid', async () => {
    expect(document.openapi).toBe('3.1.0');

    const result = await validate(structuredClone(document) as never);

    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('when compared with the service routes, then every route appears with its method', () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );

    const served = routes.map((route) => `${route.method} ${openApiPathOf(route.path)}`);

    expect(served.length).toBeGreaterThanOrEqual(9);
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it('when an operation is protected, then it requires the bearer token and names the roles its route declares', () => {
    for (const route of routes) {
      const operation = document.paths[openApiPathOf(route.path)]?.[route.method.toLowerCase()] as Record<
        string,
        unknown
      >;
      if ('public' in route.access) {
        expect(operation.security, `${route.method} ${route.path}`).toEqual([]);
      } else {
        expect(operation.security, `${route.method} ${route.path}`).toEqual([{ bearerAuth: [] }]);
        expect(operation['x-required-roles'], `${route.method} ${route.path}`).toEqual(route.access.roles);
        expect(Object.keys(operation.responses as object)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it('when the PATCH body is described, then it is the schema that validates requests', () => {
    const patch = document.paths['/users/me']?.patch as {
      requestBody: { content: { 'application/json': { schema: { $ref: string } } } };
      parameters: { name: string; in: string }[];
    };
    const ref = patch.requestBody.content['application/json'].schema.$ref;
    const schema = document.components.schemas[ref.replace('#/components/schemas/', '')] as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };

    expect(Object.keys(schema.properties).sort()).toEqual(
      ['avatarUrl', 'displayName', 'email', 'firstName', 'lastName', 'settings'].sort(),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(patch.parameters).toEqual([expect.objectContaining({ name: 'if-match', in: 'header' })]);
  });
});

describe('the API reference page at /docs', () => {
  it('when requested without a token, then Scalar is served pointing at the JSON document', async () => {
    const response = await call('GET', '/docs');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const page = String(response.body.text);
    expect(page).toContain('Scalar.createApiReference');
    expect(page).toContain('/docs/openapi.json');
  });

  it('when served, then its content security policy admits only the page’s own inline script by hash', async () => {
    const response = await call('GET', '/docs');

    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src [^;]*'sha256-[A-Za-z0-9+/=]+'/);
    expect(policy).not.toContain("'unsafe-inline' 'sha256");
    expect(policy.split(';').find((directive) => directive.trim().startsWith('script-src'))).not.toContain(
      'unsafe-inline',
    );
  });
});
