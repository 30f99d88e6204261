import type { RequestHandler } from 'express';
import type { JWTPayload } from 'express-oauth2-jwt-bearer';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createAuth } from '../../src/auth/create-auth.js';
import { requireRoles, requireScopes } from '../../src/auth/guards.js';
import { principalFromClaims, principalOf } from '../../src/auth/principal.js';
import { HttpProblem } from '../../src/errors/http-problem.js';
import { createTestApp } from '../test-app.js';

const aliceClaims: JWTPayload = {
  iss: 'http://keycloak.test/realms/platform',
  sub: '7f6c0a52-6a8e-4c52-9d0b-2b7a4f1f0c11',
  aud: 'user-service',
  azp: 'web-app',
  preferred_username: 'alice',
  scope: 'openid profile email',
  realm_access: { roles: ['user', 'default-roles-platform'] },
};

/** Sets req.auth the way express-oauth2-jwt-bearer does after verifying a token. */
function verifiedAs(payload: JWTPayload): RequestHandler {
  return (req, _res, next) => {
    req.auth = { header: { alg: 'RS256', typ: 'JWT' }, payload, token: 'raw.jwt.token' };
    next();
  };
}

describe('principalFromClaims', () => {
  it('when the claims come from a Keycloak user token, then they map onto the principal', () => {
    expect(principalFromClaims(aliceClaims, 'raw.jwt.token')).toEqual({
      subject: '7f6c0a52-6a8e-4c52-9d0b-2b7a4f1f0c11',
      username: 'alice',
      roles: ['user', 'default-roles-platform'],
      scopes: ['openid', 'profile', 'email'],
      clientId: 'web-app',
      token: 'raw.jwt.token',
      claims: aliceClaims,
    });
  });

  it('when optional claims are absent, then roles and scopes are empty and names undefined', () => {
    expect(principalFromClaims({ sub: 'svc-1' }, 't')).toEqual({
      subject: 'svc-1',
      username: undefined,
      roles: [],
      scopes: [],
      clientId: undefined,
      token: 't',
      claims: { sub: 'svc-1' },
    });
  });

  it('when the token has no subject, then it is a 401 problem', () => {
    const attempt = () => principalFromClaims({ preferred_username: 'ghost' }, 't');

    expect(attempt).toThrow(HttpProblem);
    expect(attempt).toThrow(
      expect.objectContaining({ status: 401, detail: 'The access token has no subject' }),
    );
  });
});

describe('principalOf', () => {
  it('when the request is authenticated, then the handler gets the principal', async () => {
    const { app } = createTestApp((routes) => {
      routes.get('/me', verifiedAs(aliceClaims), (req, res) => {
        const { subject, username, roles } = principalOf(req);
        res.json({ subject, username, roles });
      });
    });

    const response = await request(app).get('/me');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      subject: '7f6c0a52-6a8e-4c52-9d0b-2b7a4f1f0c11',
      username: 'alice',
      roles: ['user', 'default-roles-platform'],
    });
  });

  it('when the request was never authenticated, then it is a 401 problem with a challenge', async () => {
    const { app } = createTestApp((routes) => {
      routes.get('/me', (req, res) => {
        res.json(principalOf(req));
      });
    });

    const response = await request(app).get('/me');

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'The request is not authenticated',
      instance: '/me',
      requestId: response.headers['x-request-id'],
    });
  });
});

describe('role and scope guards', () => {
  function buildApp(claims: JWTPayload) {
    return createTestApp((routes) => {
      routes.get(
        '/admin',
        verifiedAs(claims),
        requireRoles('admin'),
        (_req, res) => void res.json({ ok: true }),
      );
      routes.get('/staff', verifiedAs(claims), requireRoles('admin', 'support'), (_req, res) => {
        res.json({ ok: true });
      });
      routes.get('/invoices', verifiedAs(claims), requireScopes('invoices:read', 'profile'), (_req, res) => {
        res.json({ ok: true });
      });
    }).app;
  }

  it('when the caller holds one of the roles, then the request goes through', async () => {
    const response = await request(buildApp({ ...aliceClaims, realm_access: { roles: ['support'] } })).get(
      '/staff',
    );

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true });
  });

  it('when the caller lacks the role, then it is a 403 problem naming the role', async () => {
    const response = await request(buildApp(aliceClaims)).get('/admin');

    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'Missing required role: admin',
      instance: '/admin',
      requestId: response.headers['x-request-id'],
    });
  });

  it('when the caller lacks every one of several roles, then the problem lists them', async () => {
    const response = await request(buildApp(aliceClaims)).get('/staff');

    expect(response.status).toBe(403);
    expect(response.body.detail).toBe('Missing one of the required roles: admin, support');
  });

  it('when the token lacks a scope, then it is a 403 problem with an insufficient_scope challenge', async () => {
    const response = await request(buildApp(aliceClaims)).get('/invoices');

    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="invoices:read profile"',
    );
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'Missing required scope: invoices:read',
      instance: '/invoices',
      requestId: response.headers['x-request-id'],
    });
  });

  it('when the token holds every scope, then the request goes through', async () => {
    const response = await request(buildApp({ ...aliceClaims, scope: 'profile invoices:read' })).get(
      '/invoices',
    );

    expect(response.status).toBe(200);
  });
});

describe('authenticate', () => {
  // Nothing listens on this port: these requests are rejected before any key would be fetched.
  const auth = createAuth({
    issuer: 'http://127.0.0.1:9/realms/platform',
    jwksUri: 'http://127.0.0.1:9/realms/platform/protocol/openid-connect/certs',
    audience: 'user-service',
  });

  function buildApp() {
    return createTestApp((routes) => {
      routes.get('/me', auth.authenticate, (_req, res) => void res.json({ ok: true }));
    }).app;
  }

  it('when there is no token, then it is a 401 problem with a bearer challenge', async () => {
    const response = await request(buildApp()).get('/me');

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'A bearer token is required',
      instance: '/me',
      requestId: response.headers['x-request-id'],
    });
  });

  it('when the credentials are not a bearer token, then it is a 401 problem too', async () => {
    const response = await request(buildApp()).get('/me').set('authorization', 'Basic YWxpY2U6c2VjcmV0');

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(response.body.detail).toBe('A bearer token is required');
  });

  it('when the token is not a JWT, then it is a 401 problem with an invalid_token challenge', async () => {
    const response = await request(buildApp()).get('/me').set('authorization', 'Bearer not-a-jwt');

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(
      /^Bearer realm="api", error="invalid_token", error_description=/,
    );
    expect(response.body).toMatchObject({ title: 'Unauthorized', status: 401 });
  });
});
