/**
 * Faults that must not touch the shared edge or services: each test starts a second real Envoy,
 * rendered by the same renderer, with the fault built in (a dead or hanging upstream, or a map that
 * lets more roles through than the service does).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadAccessMap } from '@platform/platform/access-map';
import { userToken } from '@platform/test-support/tokens';
import { send } from '@platform/test-support/edge';
import { environment } from '@platform/test-support/stack';
import { startSilentUpstream } from './support/silent-upstream.js';
import { freePort, startSecondEdge, type SecondEdge } from './support/second-edge.js';
import { auditOpenedToSupport } from './support/looser-map.js';
import { uniqueRequestId, waitUntilLogged } from './support/upstream-log.js';

const edges: SecondEdge[] = [];
afterAll(async () => {
  await Promise.all(edges.map((edge) => edge.stop()));
});

describe('an unavailable upstream', () => {
  it('when the upstream is down, then 503 problem within a second, never a hang', async () => {
    const closedPort = await freePort();
    const edge = await startSecondEdge('upstream-down', loadAccessMap(), {
      upstreams: { user: { host: '127.0.0.1', port: closedPort } },
    });
    edges.push(edge);

    const authorization = `Bearer ${await userToken('alice')}`;
    const started = Date.now();
    const response = await send(`${edge.url}/api/v1/users/me`, { headers: { authorization } });

    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('when the upstream accepts but never answers, then 504 problem after the route timeout', async () => {
    const silent = await startSilentUpstream();
    const { port } = silent;
    const map = loadAccessMap();
    const edge = await startSecondEdge(
      'upstream-hangs',
      { ...map, limits: { ...map.limits, upstreamTimeoutSeconds: 1 } },
      { upstreams: { user: { host: '127.0.0.1', port } } },
    );
    edges.push(edge);

    try {
      const authorization = `Bearer ${await userToken('alice')}`;
      const started = Date.now();
      const response = await send(`${edge.url}/api/v1/users/me`, { headers: { authorization } });

      expect(response.status).toBe(504);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });
});

describe('defense in depth', () => {
  it('when the edge lets a role through that the service does not allow, then the service still refuses it', async () => {
    const looser = auditOpenedToSupport(loadAccessMap());
    // Straight to the service (with the mesh on, its port-forward), so the service's own check is
    // what answers; the auth service's sidecar refuses the same request before it (mesh/test).
    const edge = await startSecondEdge('looser-map', looser, {
      upstreams: { auth: environment.services.auth },
    });
    edges.push(edge);

    const id = uniqueRequestId('support-on-audit');
    const response = await send(`${edge.url}/api/v1/auth/audit`, {
      headers: { authorization: `Bearer ${await userToken('sam')}`, 'x-request-id': id },
    });

    await waitUntilLogged('auth', id);
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
    // The refusal is the service's own problem (it carries the request id), not the edge's RBAC reply.
    expect(response.json()).toMatchObject({ status: 403, requestId: id });
  });
});
