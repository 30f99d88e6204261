import type { JWTPayload } from 'express-oauth2-jwt-bearer';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createAuth, type Auth } from '../../src/auth/create-auth.js';
import { requireRoles, requireScopes } from '../../src/auth/guards.js';
import { RouteTable } from '../../src/http/route-table.js';
import { createTestApp } from '../test-app.js';

/** Auth whose authenticate step sets req.auth as the library would, from the claims given. */
function authenticatedAs(payload: JWTPayload): Auth {
  return {
    authenticate: (req, _res, next) => {
      req.auth = { header: { alg: 'RS256' }, payload, token: 'raw.jwt.token' };
      next();
    },
    requireRoles,
    requireScopes,
  };
}

function usersTable(auth: Auth): RouteTable {
  return new RouteTable({ auth, basePath: '/users' })
    .get('/', { roles: ['admin', 'support'] }, (_req, res) => void res.json([]))
    .get('/:id', { roles: [] }, (req, res) => void res.json({ id: req.params.id }))
    .post('/', { public: true }, (_req, res) => void res.status(201).json({ created: true }))
    .delete('/:id', { roles: ['admin'], scopes: ['users:write'] }, (_req, res) => void res.status(204).end());
}

function appWith(table: RouteTable) {
  return createTestApp((app) => table.mountOn(app)).app;
}

describe('RouteTable', () => {
  it('when routes are declared, then routes() lists each with its full path and access', () => {
    expect(usersTable(authenticatedAs({ sub: 'u1' })).routes()).toEqual([
      { method: 'GET', path: '/users', access: { roles: ['admin', 'support'] } },
      { method: 'GET', path: '/users/:id', access: { roles: [] } },
      { method: 'POST', path: '/users', access: { public: true } },
      { method: 'DELETE', path: '/users/:id', access: { roles: ['admin'], scopes: ['users:write'] } },
    ]);
  });

  it('when a public route is called without a token, then it is served', async () => {
    const auth = createAuth({
      issuer: 'http://127.0.0.1:9/realms/platform',
      jwksUri: 'http://127.0.0.1:9/realms/platform/protocol/openid-connect/certs',
      audience: 'user-service',
    });

    const response = await request(appWith(usersTable(auth)))
      .post('/users')
      .send({});

    expect(response.status).toBe(201);
    expect(response.body).toEqual({ created: true });
  });

  it('when a protected route is called without a token, then authentication rejects it with 401', async () => {
    const auth = createAuth({
      issuer: 'http://127.0.0.1:9/realms/platform',
      jwksUri: 'http://127.0.0.1:9/realms/platform/protocol/openid-connect/certs',
      audience: 'user-service',
    });

    const response = await request(appWith(usersTable(auth))).get('/users/42');

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('when the caller has one of the declared roles, then the route is served', async () => {
    const app = appWith(usersTable(authenticatedAs({ sub: 'u1', realm_access: { roles: ['support'] } })));

    const list = await request(app).get('/users');
    const one = await request(app).get('/users/42');

    expect(list.status).toBe(200);
    expect(list.body).toEqual([]);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ id: '42' });
  });

  it('when the caller lacks the declared role, then it is a 403 problem', async () => {
    const app = appWith(usersTable(authenticatedAs({ sub: 'u1', realm_access: { roles: ['user'] } })));

    const response = await request(app).get('/users');

    expect(response.status).toBe(403);
    expect(response.body.detail).toBe('Missing one of the required roles: admin, support');
  });

  it('when the caller has the role but not the declared scope, then it is a 403 problem', async () => {
    const app = appWith(
      usersTable(authenticatedAs({ sub: 'u1', scope: 'openid', realm_access: { roles: ['admin'] } })),
    );

    const response = await request(app).delete('/users/42');

    expect(response.status).toBe(403);
    expect(response.body.detail).toBe('Missing required scope: users:write');
  });

  it('when the same method and path are declared twice, then declaring fails', () => {
    const table = new RouteTable({ auth: authenticatedAs({ sub: 'u1' }), basePath: '/users' });
    table.get('/:id', { public: true }, (_req, res) => void res.end());

    expect(() => table.get('/:id', { roles: [] }, (_req, res) => void res.end())).toThrow(
      'GET /users/:id is declared twice',
    );
  });
});
