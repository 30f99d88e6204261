import { createHash } from 'node:crypto';
import { compileErrors, validate } from '@readme/openapi-parser';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAuth } from '../../src/auth/create-auth.js';
import { RouteTable } from '../../src/http/route-table.js';
import { apiDocsRoutes } from '../../src/openapi/api-docs-routes.js';
import type { ApiOperation } from '../../src/openapi/api-operation.js';
import { buildOpenApiDocument, problem, unavailable } from '../../src/openapi/build-openapi-document.js';
import { pageQuerySchema } from '../../src/pagination/cursor-page.js';
import { createTestApp } from '../test-app.js';

const auth = createAuth({
  issuer: 'http://127.0.0.1:9/realms/platform',
  jwksUri: 'http://127.0.0.1:9/realms/platform/protocol/openid-connect/certs',
  audience: 'platform-api',
});

const tagSchema = z.object({ name: z.string().min(1) }).meta({ id: 'KitTestTag' });
const itemSchema = z.object({ id: z.uuid(), tags: z.array(tagSchema) }).meta({ id: 'KitTestItem' });

function itemsTable(): RouteTable {
  const ok = () => undefined;
  return new RouteTable({ auth, basePath: '/items' })
    .get('/', { roles: [] }, ok)
    .get('/:id', { roles: ['admin', 'support'] }, ok)
    .put('/:id/tags/:tag', { roles: ['admin'] }, ok)
    .post('/ping', { public: true }, ok);
}

const operations: ApiOperation[] = [
  {
    method: 'GET',
    path: '/items',
    operationId: 'listItems',
    summary: 'List items',
    query: pageQuerySchema.extend({ search: z.string().optional().describe('Part of a name') }),
    responses: { 200: { description: 'A page', body: z.object({ items: z.array(itemSchema) }) } },
  },
  {
    method: 'GET',
    path: '/items/:id',
    operationId: 'getItem',
    summary: 'One item',
    params: z.object({ id: z.uuid() }),
    responses: { 200: { description: 'The item', body: itemSchema }, 404: problem('No such item') },
  },
  {
    method: 'PUT',
    path: '/items/:id/tags/:tag',
    operationId: 'tagItem',
    summary: 'Tag an item',
    body: tagSchema,
    responses: { 200: { description: 'The item', body: itemSchema } },
  },
  {
    method: 'POST',
    path: '/items/ping',
    operationId: 'ping',
    summary: 'Ping',
    responses: { 204: { description: 'Pong' } },
  },
];

describe('buildOpenApiDocument', () => {
  const document = buildOpenApiDocument({
    info: { title: 'Items', version: '1' },
    routes: itemsTable().routes(),
    operations,
  });

  it('when built from route tables and zod schemas, then the document is valid OpenAPI 3.1', async () => {
    const result = await validate(structuredClone(document) as never);

    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('when a path has Express parameters, then it is written as an OpenAPI template with each parameter defined', () => {
    expect(Object.keys(document.paths)).toEqual([
      '/items',
      '/items/{id}',
      '/items/{id}/tags/{tag}',
      '/items/ping',
    ]);
    const tag = document.paths['/items/{id}/tags/{tag}']?.put as {
      parameters: { name: string; in: string }[];
    };
    expect(tag.parameters.map(({ name, in: location }) => `${location}:${name}`)).toEqual([
      'path:id',
      'path:tag',
    ]);
  });

  it('when a query schema has defaults, then those parameters are optional and descriptions are kept', () => {
    const list = document.paths['/items']?.get as {
      parameters: { name: string; required: boolean; description?: string }[];
    };
    expect(list.parameters).toEqual([
      expect.objectContaining({ name: 'limit', required: false }),
      expect.objectContaining({ name: 'cursor', required: false }),
      expect.objectContaining({ name: 'search', required: false, description: 'Part of a name' }),
    ]);
  });

  it('when schemas carry a meta id, then they become shared components referenced where used', () => {
    // A request body may carry keys zod strips, a response never does: the input variant differs.
    expect(Object.keys(document.components.schemas).sort()).toEqual([
      'KitTestItem',
      'KitTestTag',
      'KitTestTagInput',
      'Problem',
    ]);
    expect(document.components.schemas.KitTestTagInput).not.toHaveProperty('additionalProperties');
    expect(document.components.schemas.KitTestTag).toHaveProperty('additionalProperties', false);
    expect(document.paths['/items/{id}/tags/{tag}']?.put).toMatchObject({
      requestBody: {
        content: { 'application/json': { schema: { $ref: '#/components/schemas/KitTestTagInput' } } },
      },
    });
    expect(document.components.schemas.KitTestItem).toMatchObject({
      properties: { tags: { items: { $ref: '#/components/schemas/KitTestTag' } } },
    });
    expect(JSON.stringify(document)).not.toContain('$defs');
  });

  it('when routes declare access, then security and the implied problem responses follow from it', () => {
    const get = document.paths['/items/{id}']?.get as Record<string, unknown>;
    const list = document.paths['/items']?.get as Record<string, unknown>;
    const ping = document.paths['/items/ping']?.post as Record<string, unknown>;

    expect(get.security).toEqual([{ bearerAuth: [] }]);
    expect(get['x-required-roles']).toEqual(['admin', 'support']);
    expect(Object.keys(get.responses as object)).toEqual(['200', '400', '401', '403', '404']);
    expect(Object.keys(list.responses as object)).toEqual(['200', '400', '401']);
    expect(ping.security).toEqual([]);
    // Every request's path and query are checked before any route runs: 400 is always possible.
    expect(Object.keys(ping.responses as object)).toEqual(['204', '400']);
  });

  it('when an operation takes a body, then too large (413) and unsupported (415) bodies are documented', () => {
    const tag = document.paths['/items/{id}/tags/{tag}']?.put as { responses: Record<string, unknown> };

    expect(Object.keys(tag.responses)).toEqual(['200', '400', '401', '403', '413', '415']);
    expect(tag.responses['413']).toMatchObject({
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
  });

  it('when a protected operation is documented, then its 401 names the WWW-Authenticate challenge', () => {
    const get = document.paths['/items/{id}']?.get as { responses: Record<string, { headers?: object }> };

    expect(get.responses['401']?.headers).toHaveProperty('WWW-Authenticate');
  });

  it('when an operation can be unavailable, then its 503 carries Retry-After in seconds', () => {
    const built = buildOpenApiDocument({
      info: { title: 'Items', version: '1' },
      routes: itemsTable().routes(),
      operations: [{ ...operations[1]!, responses: { 503: unavailable('The database is unavailable') } }],
    });
    const get = built.paths['/items/{id}']?.get as { responses: Record<string, { headers?: object }> };

    expect(get.responses['503']?.headers).toEqual({
      'Retry-After': expect.objectContaining({ schema: { type: 'string', pattern: '^[0-9]+$' } }),
    });
  });

  it('when an operation describes a route no table serves, then building refuses', () => {
    expect(() =>
      buildOpenApiDocument({
        info: { title: 'Items', version: '1' },
        routes: itemsTable().routes(),
        operations: [...operations, { ...operations[0]!, method: 'DELETE', operationId: 'deleteItems' }],
      }),
    ).toThrow('DELETE /items');
  });
});

describe('apiDocsRoutes', () => {
  const items = itemsTable();
  const docs = apiDocsRoutes({ auth, info: { title: 'Items', version: '1' }, tables: [items], operations });
  const { app } = createTestApp((expressApp) => {
    items.mountOn(expressApp);
    docs.mountOn(expressApp);
  });

  it('when the JSON document is requested without a token, then it is served and lists the docs routes too', async () => {
    const response = await request(app).get('/docs/openapi.json');

    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(['/docs', '/docs/openapi.json']));
    expect(response.body.paths['/docs'].get.security).toEqual([]);
  });

  it('when the page is requested, then the policy allows exactly its inline script by hash', async () => {
    const response = await request(app).get('/docs');

    expect(response.status).toBe(200);
    const inline = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(response.text)?.[1] ?? '';
    const hash = createHash('sha256').update(inline).digest('base64');
    expect(response.headers['content-security-policy']).toContain(`'sha256-${hash}'`);
    expect(response.text).toContain('https://cdn.jsdelivr.net/npm/@scalar/api-reference');
  });
});
