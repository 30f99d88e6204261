/**
 * The cluster edge as a client meets it: a real Tyk gateway loaded with what the platform package's edge/tyk.ts renders,
 * in front of the local stack. The same matrix as the Envoy edge tests; where Tyk answers
 * differently (statuses, content type), the expectation says so, and the README's Tyk column is
 * written from these expectations.
 * "Never reaches the upstream" is read from the upstream's own request log, as for Envoy.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { claimsOf, userToken } from '@platform/test-support/tokens';
import { environment } from '@platform/test-support/stack';
import { loadAccessMap } from '@platform/platform/access-map';
import { edgePathOf, isPublicRoute, routesOf } from '@platform/platform/access-map-schema';
import { badTokens } from '../test/support/bad-tokens.js';
import { ThrowawayClient } from '../test/support/disabled-client.js';
import {
  burst,
  freshLoopbackAddress,
  postJson,
  preflight,
  send,
  type EdgeResponse,
} from '@platform/test-support/edge';
import { idsThatReached, uniqueRequestId, waitUntilLogged } from '../test/support/upstream-log.js';
import { expectTykProblem } from './support.js';

const { url: tyk } = inject('tyk');
const map = loadAccessMap();
const me = `${tyk}/api/v1/users/me`;
const devUsers = ['alice', 'sam', 'ada', 'bill'] as const;

/** A concrete path for a route template: unknown ids, so nothing real is changed. */
const concrete = (template: string) =>
  template.replace(/:role\b/, 'support').replace(/:\w+/g, () => randomUUID());

describe('Tyk: every route of the access map with every role', () => {
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    for (const user of devUsers) tokens.set(user, await userToken(user));
  });

  it.each(devUsers)(
    'when %s calls every protected route, then a route one of its roles allows reaches the service and any other is 403 at the edge',
    async (user) => {
      const token = tokens.get(user)!;
      const roles = claimsOf(token).roles as string[];
      const sent: { route: string; service: string; allowed: boolean; id: string; response: EdgeResponse }[] =
        [];
      for (const { service, route } of routesOf(map)) {
        if (isPublicRoute(route)) continue;
        const id = uniqueRequestId(`${user}-${route.method}-${route.path}`);
        const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
        const response = await send(`${tyk}${concrete(edgePathOf(map, route))}`, {
          method: route.method,
          headers: {
            authorization: `Bearer ${token}`,
            'x-request-id': id,
            ...(withBody ? { 'content-type': 'application/json' } : {}),
          },
          body: withBody ? '{}' : undefined,
        });
        const allowed = route.roles.length === 0 || route.roles.some((role) => roles.includes(role));
        sent.push({ route: `${route.method} ${route.path}`, service, allowed, id, response });
        // Stay under the standard tier (20 per second per identity): this test is about roles.
        await sleep(70);
      }
      for (const service of ['auth', 'user', 'billing'] as const) {
        const control = uniqueRequestId('control');
        const path = { auth: '/auth/admin/users', user: '/users/me', billing: '/billing/invoices' }[service];
        const controlToken = service === 'auth' ? tokens.get('ada')! : tokens.get('bill')!;
        await send(`${tyk}${map.apiPrefix}${path}`, {
          headers: { authorization: `Bearer ${controlToken}`, 'x-request-id': control },
        });
        await waitUntilLogged(service, control);
      }

      for (const { route, service, allowed, id, response } of sent) {
        const reached = idsThatReached(service as 'auth' | 'user' | 'billing', [id]).length === 1;
        if (allowed) {
          expect({ route, status: response.status, reached }).toMatchObject({ route, reached: true });
        } else {
          expect({ route, status: response.status, reached }).toEqual({ route, status: 403, reached: false });
          expectTykProblem(response, 403);
        }
      }
      expect(sent.filter(({ allowed }) => allowed).length).toBeGreaterThan(0);
    },
  );

  it('when a valid token reaches the service, then the service sees the same sub (the token is forwarded)', async () => {
    const token = tokens.get('alice')!;
    const response = await send(me, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.json().subject).toBe(claimsOf(token).sub);
  });

  it('when a public route is called without a token, then the service answers it', async () => {
    const response = await postJson(
      `${tyk}/api/v1/auth/password-reset`,
      JSON.stringify({ email: 'nobody@example.test' }),
    );
    expect(response.status).toBe(202);
  });
});

/**
 * What Tyk 5.14 answers for each bad token (Envoy answers 401 to all of them). Tyk checks the
 * signature first and answers 403 when it fails, so the forged expired, not-yet-valid and
 * wrong-issuer tokens (signed by keys the realm never published) are 403 here; claims are checked
 * (401) only on a genuine signature, as for the wrong audience and the expired token below.
 */
const badTokenStatus: Record<string, number> = {
  'no token': 400,
  'a malformed token': 403,
  'alg none': 403,
  'HS256 signed with the realm public key as the secret': 403,
  'a wrong issuer': 403,
  'a wrong audience': 401,
  'an expired token': 403,
  'a token not yet valid': 403,
  'an unknown kid': 403,
  'a tampered payload': 403,
  'a token signed by another key': 403,
};

describe('Tyk refuses bad tokens before the upstream', () => {
  it('when a token is bad in any of eleven ways, then a 4xx problem at the edge and the service never sees it', async () => {
    const alice = await userToken('alice');
    const sent: { name: string; id: string; response: EdgeResponse }[] = [];
    for (const { name, authorization } of await badTokens(alice)) {
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
    await send(me, { headers: { authorization: `Bearer ${alice}`, 'x-request-id': control } });
    await waitUntilLogged('user', control);

    const observed = Object.fromEntries(sent.map(({ name, response }) => [name, response.status]));
    expect(observed).toEqual({ ...badTokenStatus, 'a valid token in the query string only': 400 });
    for (const { response } of sent) expectTykProblem(response, response.status);
    expect(
      idsThatReached(
        'user',
        sent.map(({ id }) => id),
      ),
    ).toEqual([]);
  });

  it('when a genuine realm token has expired, then 401 at the edge', async () => {
    const client = new ThrowawayClient(3);
    await client.create();
    try {
      const issued = await client.requestToken();
      const { access_token: token } = (await issued.json()) as { access_token: string };
      // Past exp and the edge's 5 s leeway.
      await sleep(Math.max(0, (claimsOf(token).exp! + 6) * 1000 - Date.now()));
      const response = await send(me, { headers: { authorization: `Bearer ${token}` } });
      expectTykProblem(response, 401);
      expect(response.json().detail).toMatch(/expired/i);
    } finally {
      await client.remove();
    }
  });
});

describe('Tyk serves only the access map', () => {
  it.each([
    ['/internal/users/00000000-0000-0000-0000-000000000000', 404],
    ['/users/me', 404],
    ['/api/v1/nothing-here', 404],
    ['/api/v1/users/internal/users/00000000-0000-0000-0000-000000000000', 403],
    ['/api/v1/users/docs', 403],
  ])('when %s is requested, then %i and the service never sees it', async (path, status) => {
    const id = uniqueRequestId(path);
    const response = await send(`${tyk}${path}`, {
      headers: { authorization: `Bearer ${await userToken('alice')}`, 'x-request-id': id },
    });
    expect(response.status).toBe(status);
    if (status === 404) {
      // Outside every listen path Tyk's router answers itself, without its error templates.
      expect(response.headers['content-type']).toContain('text/plain');
    } else {
      expectTykProblem(response, status);
    }
    const control = uniqueRequestId('control');
    await send(me, {
      headers: { authorization: `Bearer ${await userToken('alice')}`, 'x-request-id': control },
    });
    await waitUntilLogged('user', control);
    expect(idsThatReached('user', [id])).toEqual([]);
  });

  it('when a mapped path is called with a method the map does not list, then 403 at the edge', async () => {
    const response = await send(me, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await userToken('alice')}` },
    });
    expectTykProblem(response, 403);
  });

  it('when a body exceeds the limit, then 400 from the edge (Tyk’s answer to an oversized body)', async () => {
    const response = await postJson(
      `${tyk}/api/v1/auth/signup`,
      JSON.stringify({ padding: 'x'.repeat(110_000) }),
    );
    expectTykProblem(response, 400);
    expect(response.json().detail).toMatch(/too large/i);
  });
});

describe('Tyk rate-limits', () => {
  it('when one identity exceeds its tier, then 429, and another identity is unaffected', async () => {
    const [alice, sam] = await Promise.all([userToken('alice'), userToken('sam')]);
    // The standard tier allows 20 per second per identity: 60 at once cannot all pass.
    const responses = await burst(me, alice, 60);
    const other = await send(me, { headers: { authorization: `Bearer ${sam}` } });

    const limited = responses.filter(({ status }) => status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(responses.filter(({ status }) => status === 200).length).toBeGreaterThan(0);
    expect(responses.every(({ status }) => status === 200 || status === 429)).toBe(true);
    expectTykProblem(limited[0]!, 429);
    // Tyk sends no Retry-After.
    expect(limited[0]!.headers['retry-after']).toBeUndefined();
    expect(other.status).toBe(200);
    await sleep(1100);
  });

  it('when callers exceed a public route’s tier, then 429 for every caller: Tyk OSS keeps one bucket per endpoint, not per IP', async () => {
    const url = `${tyk}/api/v1/auth/password-reset`;
    const post = (sourceAddress: string) => postJson(url, '{}', sourceAddress);
    const [first, second] = [freshLoopbackAddress(), freshLoopbackAddress()];
    const statuses: number[] = [];
    // The anonymous tier allows 10 per minute; an empty body is refused by the service (400).
    for (let i = 0; i < 12 && !statuses.includes(429); i++)
      statuses.push((await post(i % 2 ? second : first)).status);
    const fromAThirdIp = await post(freshLoopbackAddress());

    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((status) => status === 400)).toBe(true);
    expect(statuses.length).toBeLessThanOrEqual(11);
    expectTykProblem(fromAThirdIp, 429);
  });
});

describe('Tyk answers CORS for the browser origin only', () => {
  it('when the browser origin sends a preflight, then it is allowed', async () => {
    const response = await preflight(me, environment.browserOrigin);
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(environment.browserOrigin);
    expect(response.headers['access-control-allow-headers']).toContain('authorization');
  });

  it('when another origin sends a preflight, then it gets no CORS headers', async () => {
    const response = await preflight(me, 'https://evil.example.test');
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
