/**
 * Faults that must not touch the suite's main gateway: each test starts a second real Tyk, rendered
 * by the same renderer, with the fault built in (a dead or a silent upstream).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadEnvironment } from '../../dev/environment.js';
import { freePort } from '../../dev/stack/envoy.js';
import { startTykGateway, type TykGateway } from '../../dev/stack/tyk.js';
import { loadAccessMap } from '../../render/access-map.js';
import type { AccessMap } from '../../render/access-map-schema.js';
import { userToken } from '../../e2e/support/tokens.js';
import { send } from '../test/support/edge.js';
import { expectTykProblem } from './support.js';

const { redisPort } = inject('tyk');
const gateways: TykGateway[] = [];
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
});

async function gatewayWithUserUpstream(name: string, port: number, map: AccessMap = loadAccessMap()) {
  const gateway = await startTykGateway(name, map, loadEnvironment(), {
    listen: { host: '127.0.0.1', port: await freePort() },
    controlPort: await freePort(),
    redis: { host: '127.0.0.1', port: redisPort },
    upstreams: { user: { host: '127.0.0.1', port } },
  });
  gateways.push(gateway);
  return gateway;
}

describe('Tyk in front of an unavailable upstream', () => {
  it('when the upstream is down, then 500 problem within a second, never a hang', async () => {
    const gateway = await gatewayWithUserUpstream('upstream-down', await freePort());
    const authorization = `Bearer ${await userToken('alice')}`;
    const started = Date.now();
    const response = await send(`${gateway.url}/api/v1/users/me`, { headers: { authorization } });

    // Tyk answers a refused connection with 500 "There was a problem proxying the request".
    expectTykProblem(response, 500);
    expect(response.json().detail).toBe('There was a problem proxying the request');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('when the upstream accepts but never answers, then 504 problem after the route timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const map = loadAccessMap();
    const gateway = await gatewayWithUserUpstream('upstream-silent', port, {
      ...map,
      limits: { ...map.limits, upstreamTimeoutSeconds: 1 },
    });
    try {
      const authorization = `Bearer ${await userToken('alice')}`;
      const started = Date.now();
      const response = await send(`${gateway.url}/api/v1/users/me`, { headers: { authorization } });

      expectTykProblem(response, 504);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });
});
