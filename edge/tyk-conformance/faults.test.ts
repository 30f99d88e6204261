/**
 * What must not touch the suite's main gateway: each test starts a second real Tyk, rendered by the
 * same renderer, with the fault or the limit built in (a dead or a silent upstream, a tiny quota).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadEnvironment } from '@platform/platform/environment';
import { freePort } from '@platform/dev/stack/envoy';
import { startOwnRedis, startTykGateway, type TykGateway } from '@platform/dev/stack/tyk';
import { loadAccessMap } from '@platform/platform/access-map';
import type { AccessMap } from '@platform/platform/access-map-schema';
import { userToken } from '@platform/test-support/tokens';
import { send } from '@platform/test-support/edge';
import { startSilentUpstream } from '../test/support/silent-upstream.js';
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
    const silent = await startSilentUpstream();
    const { port } = silent;
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
      silent.close();
    }
  });
});

describe('Tyk quotas', () => {
  it('when an identity has used its tier’s quota, then 403 until it renews, and another identity is unaffected', async () => {
    const map = loadAccessMap();
    // The standard tier with a quota of 3 requests: its own Redis, so no session of the main run is touched.
    const tiny = {
      ...map,
      tiers: { ...map.tiers, standard: { ...map.tiers.standard!, quota: { requests: 3, perSeconds: 3600 } } },
    };
    const redisPort = await freePort();
    const redis = await startOwnRedis('quota', redisPort);
    try {
      const gateway = await startTykGateway('quota', tiny, loadEnvironment(), {
        listen: { host: '127.0.0.1', port: await freePort() },
        controlPort: await freePort(),
        redis: { host: '127.0.0.1', port: redisPort },
      });
      gateways.push(gateway);
      const [alice, sam] = await Promise.all([userToken('alice'), userToken('sam')]);
      const me = `${gateway.url}/api/v1/users/me`;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await send(me, { headers: { authorization: `Bearer ${alice}` } })).status);
      const other = await send(me, { headers: { authorization: `Bearer ${sam}` } });

      expect(statuses).toEqual([200, 200, 200, 403]);
      // sam holds support too, whose staff tier has its own (large) quota.
      expect(other.status).toBe(200);
    } finally {
      await redis.stop();
    }
  });
});
