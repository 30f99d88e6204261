import type { RouteTable } from '../http/route-table.js';
import { apiDocsRoutes } from '../openapi/api-docs-routes.js';
import type { OpenApiInfo } from '../openapi/build-openapi-document.js';
import type { z } from 'zod';
import type { ComponentsContext, ConfigOf, ServiceDefinition } from './service-definition.js';

/**
 * Every route table a service serves: its own and, when it describes its API, the docs routes
 * serving that description. Started services and listed routes both come from here, so what the
 * document describes is what runs.
 */
export function serviceRouteTables<S extends z.ZodObject, K>(
  definition: ServiceDefinition<S, K>,
  context: ComponentsContext<ConfigOf<S>, K>,
): readonly RouteTable[] {
  const tables = definition.routes(context);
  const { api } = definition;
  if (api === undefined) return tables;
  const info: OpenApiInfo = {
    title: `${definition.name.charAt(0).toUpperCase()}${definition.name.slice(1)} service`,
    version: api.version ?? '1',
    description: api.description,
  };
  return [...tables, apiDocsRoutes({ auth: context.auth, info, tables, operations: api.operations })];
}
