import type { z } from 'zod';
import type { HttpMethod } from '../http/route-table.js';

export interface ApiHeader {
  readonly description: string;
  readonly schema?: z.ZodType;
}

export interface ApiResponse {
  readonly description: string;
  /** The body's schema; omitted for responses without a body (204, 304). */
  readonly body?: z.ZodType;
  /** `application/json` by default; problem responses are `application/problem+json`. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, ApiHeader>>;
}

/**
 * What the document says about one route. The route's method and path name the RouteTable
 * declaration it describes; who may call it is read from that declaration, not repeated here.
 * The schemas are the same zod schemas the route validates with.
 */
export interface ApiOperation {
  readonly method: HttpMethod;
  /** The Express path template, including the table's base path, e.g. `/users/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** Request headers the route reads, keyed by their lower-case names. */
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly responses: Readonly<Record<number, ApiResponse>>;
}
