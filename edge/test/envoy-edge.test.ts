/**
 * The local edge (the real Envoy the stack runs, rendered from edge/access-map.yaml) from a
 * client's side. "Never reaches the upstream" is read from the upstream's own request log: each
 * request carries a unique x-request-id, which the edge keeps and the service logs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { claimsOf, userToken } from '@platform/test-support/tokens';
import { environment, serviceUrl } from '@platform/test-support/stack';
import { badTokens, type BadToken } from './support/bad-tokens.js';
import { ThrowawayClient } from './support/disabled-client.js';
import {
  burst,
  edgeUrl,
  freshLoopbackAddress,
  postJson,
  preflight,
  send,
  sendRaw,
  type EdgeResponse,
} from '@platform/test-support/edge';
import { idsThatReached, uniqueRequestId, waitUntilLogged } from './support/upstream-log.js';

const me = `${edgeUrl}/api/v1/users/me`;

function expectEdgeProblem(response: EdgeResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.json()).toMatchObject({ type: 'about:blank', status });
}

describe('the edge refuses bad tokens before the upstream', () => {
  let alice: string;
  let cases: BadToken[];

  beforeAll(async () => {
    alice = await userToken('alice');
    cases = await badTokens(alice);
  });

  it('when a token is bad in any of eleven ways or only in the query string, then 401 at the edge and the user service never sees the request', async () => {
    const sent: { name: string; id: string; response: EdgeResponse }[] = [];
    for (const { name, authorization } of cases) {
      const id = uniqueRequestId(name);
      const headers: Record<string, string> = { 'x-request-id': id };
      if (authorization) headers.authorization = authorization;
      sent.push({ name, id, response: await send(me, { headers }) });
    }
    const fromQuery = uniqueRequestId('query');
    sent.push({
      name: 'a valid token in the query string only',
      id: fromQuery,
      response: await send(`${me}?access_token=${alice}`, { headers: { 'x-request-id': fromQuery } }),
    });
    const control = uniqueRequestId('control');
    expect(
      (await send(me, { headers: { authorization: `Bearer ${alice}`, 'x-request-id': control } })).status,
    ).toBe(200);
    await waitUntilLogged('user', control);

    for (const { name, response } of sent) {
      expect({ name, status: response.status }).toEqual({ name, status: 401 });
      expectEdgeProblem(response, 401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    }
    expect(
      idsThatReached(
        'user',
        sent.map(({ id }) => id),
      ),
    ).toEqual([]);
  });

  it('when a client is disabled, then Keycloak issues it no new token and the one it holds dies at the edge at expiry', async () => {
    const client = new ThrowawayClient(3);
    await client.create();
    try {
      const issued = await client.requestToken();
      expect(issued.status).toBe(200);
      const { access_token: token } = (await issued.json()) as { access_token: string };
      await client.disable();
      expect([400, 401]).toContain((await client.requestToken()).status);

      // A JWT is checked offline: what a disabled client still holds is refused once exp (+ the edge's 5 s leeway) passes.
      const wait = (claimsOf(token).exp! + 6) * 1000 - Date.now();
      await sleep(Math.max(0, wait));
      const id = uniqueRequestId('disabled-client');
      const response = await send(me, { headers: { authorization: `Bearer ${token}`, 'x-request-id': id } });
      const control = uniqueRequestId('control');
      await send(me, {
        headers: { authorization: `Bearer ${await userToken('alice')}`, 'x-request-id': control },
      });
      await waitUntilLogged('user', control);

      expectEdgeProblem(response, 401);
      expect(response.json().detail).toMatch(/expired/i);
      expect(idsThatReached('user', [id])).toEqual([]);
      // Defense in depth: each service refuses it too when called directly.
      for (const [service, path] of [
        ['auth', '/auth/audit'],
        ['user', '/users/me'],
        ['billing', '/billing/invoices'],
      ] as const) {
        const direct = await send(`${serviceUrl(service)}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect({ service, status: direct.status }).toEqual({ service, status: 401 });
      }
    } finally {
      await client.remove();
    }
  });
});

describe('the edge passes valid tokens on and checks roles', () => {
  it('when the token is valid, then the upstream answers and sees the same sub (the token is forwarded)', async () => {
    const token = await userToken('alice');
    const id = uniqueRequestId('valid');
    const response = await send(me, { headers: { authorization: `Bearer ${token}`, 'x-request-id': id } });

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.json().subject).toBe(claimsOf(token).sub);
    await waitUntilLogged('user', id);
  });

  it('when a valid token lacks the route role, then 403 at the edge and the upstream never sees it', async () => {
    const id = uniqueRequestId('lacking-role');
    const response = await send(`${edgeUrl}/api/v1/auth/audit`, {
      headers: { authorization: `Bearer ${await userToken('alice')}`, 'x-request-id': id },
    });
    const control = uniqueRequestId('control');
    await send(`${edgeUrl}/api/v1/auth/audit`, {
      headers: { authorization: `Bearer ${await userToken('ada')}`, 'x-request-id': control },
    });
    await waitUntilLogged('auth', control);

    expectEdgeProblem(response, 403);
    expect(idsThatReached('auth', [id])).toEqual([]);
  });

  it('when a token carries one of the roles (any-of), then the route is served', async () => {
    const response = await send(`${edgeUrl}/api/v1/auth/admin/users`, {
      headers: { authorization: `Bearer ${await userToken('sam')}` },
    });
    expect(response.status).not.toBe(401);
    expect(response.status).not.toBe(403);
    expect(response.status).toBeLessThan(500);
  });
});

describe('the edge rate-limits', () => {
  it('when one identity exceeds its tier, then 429 with Retry-After, and another identity is unaffected', async () => {
    const [alice, sam] = await Promise.all([userToken('alice'), userToken('sam')]);
    // The standard tier allows 20 per second per identity: 60 at once cannot all pass.
    const responses = await burst(me, alice, 60);
    const other = await send(me, { headers: { authorization: `Bearer ${sam}` } });

    const limited = responses.filter(({ status }) => status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(responses.filter(({ status }) => status === 200).length).toBeGreaterThan(0);
    expectEdgeProblem(limited[0]!, 429);
    expect(limited[0]!.headers['retry-after']).toBe('1');
    expect(other.status).toBe(200);
    await sleep(1100);
  });

  it('when one client IP exceeds a public route tier, then 429, and another IP is unaffected', async () => {
    const url = `${edgeUrl}/api/v1/auth/password-reset`;
    const post = (sourceAddress: string) => postJson(url, '{}', sourceAddress);
    const first = freshLoopbackAddress();
    const statuses: number[] = [];
    // The anonymous tier allows 10 per minute per client IP; an empty body is refused by the service (400).
    for (let i = 0; i < 11; i++) statuses.push((await post(first)).status);
    const fromAnotherIp = await post(freshLoopbackAddress());

    expect(statuses.slice(0, 10).every((status) => status === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(fromAnotherIp.status).toBe(400);
  });
});

describe('the edge serves only the access map', () => {
  it('when a public route is called without a token, then the service answers it', async () => {
    const response = await postJson(
      `${edgeUrl}/api/v1/auth/password-reset`,
      JSON.stringify({ email: 'nobody@example.test' }),
    );
    expect(response.status).toBe(202);
  });

  it.each([
    '/api/v1/users/internal/users/00000000-0000-0000-0000-000000000000',
    '/internal/users/00000000-0000-0000-0000-000000000000',
    '/api/v1/users/../../internal/users/00000000-0000-0000-0000-000000000000',
    '/users/me',
    '/api/v1/nothing-here',
  ])('when %s is requested, then 404 from the edge', async (path) => {
    const response = await send(`${edgeUrl}${path}`, {
      headers: { authorization: `Bearer ${await userToken('alice')}` },
    });
    expectEdgeProblem(response, 404);
  });

  it('when a body exceeds the limit, then 413 from the edge', async () => {
    const response = await postJson(
      `${edgeUrl}/api/v1/auth/signup`,
      JSON.stringify({ padding: 'x'.repeat(110_000) }),
    );
    expectEdgeProblem(response, 413);
  });
});

describe('the edge answers CORS for the browser origin only', () => {
  it('when the browser origin sends a preflight, then it is allowed', async () => {
    const response = await preflight(me, environment.browserOrigin);
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(environment.browserOrigin);
    expect(response.headers['access-control-allow-headers']).toContain('authorization');
  });

  it('when another origin sends a preflight, then it is refused without CORS headers', async () => {
    const response = await preflight(me, 'https://evil.example.test');
    expectEdgeProblem(response, 403);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when the browser origin calls a route, then the response allows that origin', async () => {
    const response = await send(me, {
      headers: { origin: environment.browserOrigin, authorization: `Bearer ${await userToken('alice')}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(environment.browserOrigin);
  });
});

describe('the edge refuses requests no API takes', () => {
  it('when a client sends CONNECT, then 405 at once, as a problem', async () => {
    const response = await sendRaw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(response.statusLine).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.elapsedMs).toBeLessThan(2_000);
  });

  it('when a request carries two Host headers, then 400 as a problem and the upstream never sees it', async () => {
    const token = await userToken('alice');
    const id = uniqueRequestId('two-hosts');
    const response = await sendRaw(
      `GET /api/v1/users/me HTTP/1.1\r\nHost: localhost\r\nHost: elsewhere.test\r\n` +
        `Authorization: Bearer ${token}\r\nX-Request-Id: ${id}\r\n\r\n`,
    );
    expect(response.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(response.body)).toMatchObject({
      status: 400,
      detail: 'A request carries one Host header',
    });
    const control = uniqueRequestId('two-hosts-control');
    await send(me, { headers: { authorization: `Bearer ${token}`, 'x-request-id': control } });
    await waitUntilLogged('user', control);
    expect(idsThatReached('user', [id])).toEqual([]);
  });
});
