import { z } from 'zod';
import type { RouteAccess, RouteDeclaration } from '../http/route-table.js';
import type { ApiOperation, ApiResponse } from './api-operation.js';
import { openApiPathOf, pathParameterNamesOf } from './openapi-path.js';
import { problemSchema } from './problem-schema.js';
import { SchemaComponents, type JsonSchema } from './schema-components.js';
import { wellFormedTextPattern } from './string-schemas.js';

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: OpenApiInfo;
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: {
    readonly schemas: Record<string, JsonSchema>;
    readonly securitySchemes: Record<string, unknown>;
  };
}

export interface OpenApiDocumentOptions {
  readonly info: OpenApiInfo;
  /** Every route the service serves, from its RouteTables: the source of each operation's access. */
  readonly routes: readonly RouteDeclaration[];
  readonly operations: readonly ApiOperation[];
}

const bearerScheme = 'bearerAuth';

/** Any text, as the kit admits it: what a parameter or header without a schema of its own is. */
const text = { type: 'string', pattern: wellFormedTextPattern };

const textRule =
  'Every string in a request is text: a NUL character or an unpaired UTF-16 surrogate anywhere in the ' +
  'path, the query or the body is refused with 400 (each string schema’s pattern admits neither). ' +
  'Fields that are trimmed say so; their bounds hold for the trimmed value.';

/**
 * Builds an OpenAPI 3.1 document from the zod schemas the routes validate with and from the
 * routes' own access declarations. An operation for a route that is not served is refused, so
 * the document cannot describe an API that does not exist; a served route without an operation
 * is simply absent, which the services' tests catch by comparing the document with their routes.
 */
export function buildOpenApiDocument({ info, routes, operations }: OpenApiDocumentOptions): OpenApiDocument {
  const components = new SchemaComponents();
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();
  for (const operation of operations) {
    const route = routes.find(
      (candidate) => candidate.method === operation.method && candidate.path === operation.path,
    );
    if (route === undefined) {
      throw new Error(
        `the document describes ${operation.method} ${operation.path}, which no RouteTable serves`,
      );
    }
    if (operationIds.has(operation.operationId)) {
      throw new Error(`operationId "${operation.operationId}" is used twice`);
    }
    operationIds.add(operation.operationId);
    const path = openApiPathOf(operation.path);
    paths[path] ??= {};
    paths[path][operation.method.toLowerCase()] = operationObject(operation, route.access, components);
  }
  return {
    openapi: '3.1.0',
    info: { ...info, description: [info.description, textRule].filter(Boolean).join('\n\n') },
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        [bearerScheme]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token issued by the platform realm, carrying this API in `aud`',
        },
      },
    },
  };
}

function operationObject(operation: ApiOperation, access: RouteAccess, components: SchemaComponents) {
  const isPublic = 'public' in access;
  const restrictions = isPublic ? [] : accessRestrictions(access);
  const description = [operation.description, ...restrictions]
    .filter((part) => part !== undefined)
    .join('\n\n');
  const parameters = [
    ...pathParameters(operation, components),
    ...parametersOf(operation.query, 'query', components),
    ...parametersOf(operation.headers, 'header', components),
  ];
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(description === '' ? {} : { description }),
    ...(operation.tags === undefined ? {} : { tags: [...operation.tags] }),
    // Public operations say so explicitly, so no document-wide default can make them look protected.
    security: isPublic ? [] : [{ [bearerScheme]: [] }],
    ...(isPublic ? {} : { 'x-required-roles': [...access.roles] }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(operation.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: components.schemaOf(operation.body, 'input') } },
          },
        }),
    responses: responsesOf(operation, access, components),
  };
}

function accessRestrictions(access: Exclude<RouteAccess, { public: true }>): string[] {
  const lines: string[] = [];
  if (access.roles.length > 0)
    lines.push(`Requires one of the realm roles: ${access.roles.map((role) => `\`${role}\``).join(', ')}.`);
  if (access.scopes !== undefined && access.scopes.length > 0) {
    lines.push(`Requires the scopes: ${access.scopes.map((scope) => `\`${scope}\``).join(', ')}.`);
  }
  return lines;
}

/** Every template parameter is defined, typed from the params schema when it names it. */
function pathParameters(operation: ApiOperation, components: SchemaComponents) {
  const declared = new Map(
    parametersOf(operation.params, 'path', components).map((parameter) => [parameter.name, parameter]),
  );
  return pathParameterNamesOf(operation.path).map(
    (name) => declared.get(name) ?? { name, in: 'path', required: true, schema: text },
  );
}

function parametersOf(
  schema: z.ZodObject | undefined,
  location: 'path' | 'query' | 'header',
  components: SchemaComponents,
) {
  if (schema === undefined) return [];
  const json = components.schemaOf(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
    };
  });
}

/** The operation's own responses plus the problems the kit itself answers with. */
function responsesOf(operation: ApiOperation, access: RouteAccess, components: SchemaComponents) {
  const implied: Record<number, ApiResponse> = {
    // The kit checks every request's path and query before any route runs (wellFormedStrings).
    400: problem(
      'The request is invalid: a field its schemas refuse (`errors` names each), a body that is missing or ' +
        'not JSON, a path that is not valid percent-encoding, or a NUL character or unpaired surrogate in ' +
        'the path, query or body',
    ),
  };
  if (!('public' in access)) {
    implied[401] = problem(
      'No valid access token: missing, expired, badly signed, or for another audience',
      authenticationChallenge,
    );
    if (access.roles.length > 0 || (access.scopes?.length ?? 0) > 0) {
      implied[403] = problem('The token lacks the required role or scope');
    }
  }
  if (operation.body !== undefined) {
    implied[413] = problem('The body exceeds the size limit');
    implied[415] = problem('The JSON body is in a charset or content encoding the service does not read');
  }
  const all: Record<number, ApiResponse> = { ...implied, ...operation.responses };
  return Object.fromEntries(
    Object.entries(all)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, response]) => [status, responseObject(response, components)]),
  );
}

const authenticationChallenge = {
  'WWW-Authenticate': {
    description: 'The Bearer challenge (RFC 6750), with the reason when a token was sent',
  },
};

function responseObject(response: ApiResponse, components: SchemaComponents) {
  return {
    description: response.description,
    ...(response.headers === undefined
      ? {}
      : {
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, header]) => [
              name,
              {
                description: header.description,
                schema: header.schema === undefined ? text : components.schemaOf(header.schema, 'output'),
              },
            ]),
          ),
        }),
    ...(response.body === undefined
      ? {}
      : {
          content: {
            [response.contentType ?? 'application/json']: {
              schema: components.schemaOf(response.body, 'output'),
            },
          },
        }),
  };
}

/** A problem response, for operations to list the errors they add (404, 409, 412, 503, …). */
export function problem(description: string, headers?: ApiResponse['headers']): ApiResponse {
  return { description, body: problemSchema, contentType: 'application/problem+json', headers };
}

/** A 503 problem: a dependency (the database, Keycloak, another service) cannot answer now. */
export function unavailable(description: string): ApiResponse {
  return problem(description, {
    'Retry-After': { description: 'Seconds to wait before retrying', schema: z.string().regex(/^[0-9]+$/) },
  });
}

/**
 * The 503 the kit answers for any route while the service's database cannot be reached or is
 * shutting down (db/database-unavailable.ts): every service has one, so it is described once.
 */
export const databaseUnavailable: ApiResponse = unavailable('The database is unavailable; retry later');
