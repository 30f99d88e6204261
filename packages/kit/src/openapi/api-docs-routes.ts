import { createHash } from 'node:crypto';
import { apiReference } from '@scalar/express-api-reference';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Auth } from '../auth/create-auth.js';
import { RouteTable } from '../http/route-table.js';
import type { ApiOperation } from './api-operation.js';
import { buildOpenApiDocument, type OpenApiDocument, type OpenApiInfo } from './build-openapi-document.js';

export interface ApiDocsOptions {
  readonly auth: Auth;
  readonly info: OpenApiInfo;
  /** The service's other route tables; the docs' own two routes are added to the document. */
  readonly tables: readonly RouteTable[];
  readonly operations: readonly ApiOperation[];
  /** Where the docs are served: the page at `basePath`, the document at `basePath/openapi.json`. */
  readonly basePath?: string;
  /** Where browsers load Scalar's script from; Scalar's CDN unless a mirror is given. */
  readonly scriptUrl?: string;
}

const defaultScriptUrl = 'https://cdn.jsdelivr.net/npm/@scalar/api-reference';

/**
 * Serves the service's OpenAPI document as JSON and rendered by Scalar. Both routes are public:
 * the document holds no data, only the shape of the API, and the edge decides whether it is exposed.
 */
export function apiDocsRoutes({
  auth,
  info,
  tables,
  operations,
  basePath = '/docs',
  scriptUrl = defaultScriptUrl,
}: ApiDocsOptions): RouteTable {
  const documentPath = `${basePath}/openapi.json`;
  const page = renderScalarPage({ url: documentPath, pageTitle: info.title, cdn: scriptUrl });
  const pagePolicy = scalarPagePolicy(page, scriptUrl);
  const docs = new RouteTable({ auth, basePath })
    .get('/', { public: true }, (_req, res) => {
      res.set('Content-Security-Policy', pagePolicy).type('text/html').send(page);
    })
    .get('/openapi.json', { public: true }, (_req, res) => {
      res.json(document);
    });
  // Built after the table, so the document also describes the docs' own routes.
  const document: OpenApiDocument = buildOpenApiDocument({
    info,
    routes: [...tables, docs].flatMap((table) => table.routes()),
    operations: [...operations, ...docsOperations(basePath)],
  });
  return docs;
}

function docsOperations(basePath: string): ApiOperation[] {
  return [
    {
      method: 'GET',
      path: basePath,
      operationId: 'getApiReference',
      summary: 'This API reference, rendered by Scalar',
      tags: ['docs'],
      responses: { 200: { description: 'An HTML page', contentType: 'text/html', body: z.string() } },
    },
    {
      method: 'GET',
      path: `${basePath}/openapi.json`,
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI 3.1 document',
      tags: ['docs'],
      responses: { 200: { description: 'The OpenAPI document', body: z.record(z.string(), z.unknown()) } },
    },
  ];
}

/** Scalar's Express handler renders a fixed page; render it once to know the exact inline script. */
function renderScalarPage(configuration: Parameters<typeof apiReference>[0]): string {
  let html = '';
  const recorder = {
    type: () => recorder,
    send: (body: string) => {
      html = body;
      return recorder;
    },
  };
  apiReference(configuration)({} as Request<never>, recorder as unknown as Response<string>, () => undefined);
  if (html === '') throw new Error('Scalar rendered no page');
  return html;
}

/**
 * The app's default policy (helmet: scripts from 'self' only) would blank the page. This one allows
 * Scalar's script and, by hash, only the one inline script that starts it, instead of 'unsafe-inline'.
 * Scalar injects its styles at run time, so styles need 'unsafe-inline'.
 */
function scalarPagePolicy(page: string, scriptUrl: string): string {
  const inlineScripts = [...page.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] ?? '')
        .digest('base64')}'`,
  );
  const scriptOrigin = new URL(scriptUrl, 'http://self.invalid').origin;
  const scriptSource = scriptOrigin === 'http://self.invalid' ? "'self'" : scriptOrigin;
  return [
    "default-src 'none'",
    `script-src ${scriptSource} ${inlineScripts.join(' ')}`,
    `style-src 'self' 'unsafe-inline' ${scriptSource} https://fonts.scalar.com`,
    `font-src 'self' data: ${scriptSource} https://fonts.scalar.com`,
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
