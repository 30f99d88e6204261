import { Router, type Express, type RequestHandler } from 'express';
import type { Auth } from '../auth/create-auth.js';
import { joinRoutePath } from './join-route-path.js';
import { setRouteTemplate } from './route-template.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route. `roles` is any-of (an empty list means any authenticated caller);
 * `scopes` is all-of.
 */
export type RouteAccess =
  { readonly public: true } | { readonly roles: readonly string[]; readonly scopes?: readonly string[] };

export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** The full path template, including the table's base path. */
  readonly path: string;
  readonly access: RouteAccess;
}

export interface RouteTableOptions {
  readonly auth: Auth;
  /** Where the table is mounted, e.g. '/users'; '' for the root. */
  readonly basePath?: string;
}

/**
 * Registers Express routes together with who may call them, so access is declared next to each route,
 * enforced from that declaration, and listable by tests that compare it with the access map.
 */
export class RouteTable {
  readonly router: Router = Router();
  readonly basePath: string;
  readonly #auth: Auth;
  readonly #declarations: RouteDeclaration[] = [];

  constructor({ auth, basePath = '' }: RouteTableOptions) {
    if (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/'))) {
      throw new Error(`basePath must start with "/" and not end with one: "${basePath}"`);
    }
    this.#auth = auth;
    this.basePath = basePath;
  }

  get(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this {
    return this.#add('GET', path, access, handlers);
  }

  post(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this {
    return this.#add('POST', path, access, handlers);
  }

  put(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this {
    return this.#add('PUT', path, access, handlers);
  }

  patch(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this {
    return this.#add('PATCH', path, access, handlers);
  }

  delete(path: string, access: RouteAccess, ...handlers: RequestHandler[]): this {
    return this.#add('DELETE', path, access, handlers);
  }

  /** Mounts the router at the base path, so the declared paths are the ones actually served. */
  mountOn(app: Express): void {
    app.use(this.basePath === '' ? '/' : this.basePath, this.router);
  }

  routes(): readonly RouteDeclaration[] {
    return [...this.#declarations];
  }

  #add(method: HttpMethod, path: string, access: RouteAccess, handlers: RequestHandler[]): this {
    if (!path.startsWith('/')) throw new Error(`Route path must start with "/": "${path}"`);
    if (handlers.length === 0) throw new Error(`${method} ${path} has no handler`);
    const fullPath = joinRoutePath(this.basePath, path);
    if (this.#declarations.some((route) => route.method === method && route.path === fullPath)) {
      throw new Error(`${method} ${fullPath} is declared twice`);
    }
    this.#declarations.push({ method, path: fullPath, access });
    const markRoute: RequestHandler = (_req, res, next) => {
      setRouteTemplate(res, fullPath);
      next();
    };
    this.router[lowerCase(method)](path, markRoute, ...this.#guardsFor(access), ...handlers);
    return this;
  }

  #guardsFor(access: RouteAccess): RequestHandler[] {
    if ('public' in access) return [];
    const guards = [this.#auth.authenticate];
    if (access.roles.length > 0) guards.push(this.#auth.requireRoles(...access.roles));
    if (access.scopes !== undefined && access.scopes.length > 0) {
      guards.push(this.#auth.requireScopes(...access.scopes));
    }
    return guards;
  }
}

function lowerCase(method: HttpMethod): 'get' | 'post' | 'put' | 'patch' | 'delete' {
  return method.toLowerCase() as Lowercase<HttpMethod>;
}
