import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/auth/create-auth.js';
import { createTestApp } from '../test-app.js';

const issuer = 'http://keycloak.test/realms/platform';
const audience = 'platform-api';

describe('authenticate and the revocation list', () => {
  let jwks: Server;
  let jwksUri: string;
  let sign: (sub: string) => Promise<string>;

  // A key set served on loopback by this test, as Keycloak serves the realm's.
  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`;
    sign = (sub) =>
      new SignJWT({ realm_access: { roles: ['user'] } })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'test-key' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
  });

  afterAll(() => {
    jwks.close();
  });

  function appWith(revoked: Set<string>) {
    const auth = createAuth({
      issuer,
      jwksUri,
      audience,
      revocations: { isRevoked: (sub) => revoked.has(sub) },
    });
    return createTestApp((app) => app.get('/me', auth.authenticate, (_req, res) => res.json({ ok: true })))
      .app;
  }

  it('when the subject is revoked, then a token with a valid signature is refused with 401 invalid_token', async () => {
    const app = appWith(new Set(['revoked-user']));

    const response = await request(app)
      .get('/me')
      .set('authorization', `Bearer ${await sign('revoked-user')}`);

    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(response.body).toMatchObject({ status: 401, detail: 'The access token has been revoked' });
  });

  it('when a token that already verified (and is remembered) is revoked afterwards, then it is refused, and accepted again once lifted', async () => {
    const revoked = new Set<string>();
    const app = appWith(revoked);
    const token = await sign('later-revoked');
    expect((await request(app).get('/me').set('authorization', `Bearer ${token}`)).status).toBe(200);

    revoked.add('later-revoked');
    expect((await request(app).get('/me').set('authorization', `Bearer ${token}`)).status).toBe(401);

    revoked.delete('later-revoked');
    expect((await request(app).get('/me').set('authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('when another subject is revoked, then the token is accepted', async () => {
    const app = appWith(new Set(['someone-else']));

    const response = await request(app)
      .get('/me')
      .set('authorization', `Bearer ${await sign('fine-user')}`);

    expect(response.status).toBe(200);
  });
});
