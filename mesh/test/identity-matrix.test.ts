/**
 * Who may call the user service's internal API, as mesh/jwt-authorization.yaml says and the real
 * sidecars enforce it: only the billing service's workload identity, with a token carrying
 * `users:read-internal`. Every other identity, and every connection that is not mutual TLS from
 * the mesh's CA, is refused by the sidecar before the service sees it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceNames } from '@platform/platform/environment';
import { containerPorts, edgeIdentity, serviceIdentity } from '@platform/platform/topology';
import { deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { serviceToken } from '@platform/test-support/tokens';
import { send } from '@platform/test-support/edge';
import { environment } from '@platform/test-support/stack';
import { userToken } from '@platform/test-support/tokens';
import { loadAccessMap } from '@platform/platform/access-map';
import { startExtraEdge } from '@platform/dev/stack/envoy';
import { auditOpenedToSupport } from '../../edge/test/support/looser-map.js';
import { uniqueRequestId } from '../../edge/test/support/upstream-log.js';
import {
  callFromPod,
  certificateOf,
  foreignCertificate,
  isRefusal,
  listenersInPod,
  meshCall,
  meshOfStack,
  type Outcome,
  plainCall,
  sidecarOf,
} from './support/mesh-client.js';
import { internalLookup } from './support/internal-lookup.js';

const user = serviceIdentity('user');
const statusOf = (outcome: Outcome) => (isRefusal(outcome) ? `refused (${outcome.refused})` : outcome.status);

describe('the user service’s internal API through its sidecar', () => {
  let person: TestUser;
  let profileId: string;
  let billingToken: string;
  let authToken: string;
  let path: string;

  beforeAll(async () => {
    meshOfStack();
    ({ person, profileId, path, billingToken } = await internalLookup('mesh-matrix'));
    // A genuine service token without users:read-internal (the auth service's own client).
    authToken = await serviceToken('auth');
  });

  afterAll(async () => {
    await deleteTestUsers([person]);
  });

  it('when billing’s workload calls with billing’s client-credentials token, then 200 and the profile', async () => {
    const outcome = await meshCall(sidecarOf('user'), path, {
      certificate: certificateOf(serviceIdentity('billing')),
      token: billingToken,
      peer: user,
    });
    expect(statusOf(outcome)).toBe(200);
    expect(JSON.parse((outcome as { text: string }).text)).toMatchObject({
      id: profileId,
      subject: person.id,
    });
  });

  it('when the billing service calls through its own sidecar (its pod, USER_SERVICE_URL), then 200', async () => {
    const { outboundPorts } = meshOfStack();
    const outcome = await callFromPod('billing', `http://127.0.0.1:${outboundPorts.user}${path}`, {
      authorization: `Bearer ${billingToken}`,
    });
    expect(statusOf(outcome)).toBe(200);
  });

  it.each([
    ['the auth service’s identity', serviceIdentity('auth')],
    ['the edge’s identity (tyk-gateway)', edgeIdentity],
  ])(
    'when %s makes the same call with billing’s token, then the sidecar’s RBAC answers 403',
    async (_, identity) => {
      const outcome = await meshCall(sidecarOf('user'), path, {
        certificate: certificateOf(identity),
        token: billingToken,
        peer: user,
      });
      expect(statusOf(outcome)).toBe(403);
      expect((outcome as { text: string }).text).toBe('RBAC: access denied');
    },
  );

  it('when billing’s workload calls with a token lacking users:read-internal, then 403', async () => {
    const outcome = await meshCall(sidecarOf('user'), path, {
      certificate: certificateOf(serviceIdentity('billing')),
      token: authToken,
      peer: user,
    });
    expect(statusOf(outcome)).toBe(403);
  });

  it('when billing’s workload calls without a token, then 403 (the rule needs a request principal)', async () => {
    const outcome = await meshCall(sidecarOf('user'), path, {
      certificate: certificateOf(serviceIdentity('billing')),
      peer: user,
    });
    expect(statusOf(outcome)).toBe(403);
  });

  it('when the client certificate comes from another CA (same SPIFFE ID), then the handshake is refused', async () => {
    const outcome = await meshCall(sidecarOf('user'), path, {
      certificate: await foreignCertificate(serviceIdentity('billing')),
      token: billingToken,
      peer: user,
    });
    expect(isRefusal(outcome)).toBe(true);
    expect((outcome as { refused: string }).refused).toMatch(/UNKNOWN_CA/);
  });

  it('when a TLS client presents no certificate, then the handshake is refused', async () => {
    const outcome = await meshCall(sidecarOf('user'), path, { token: billingToken, peer: user });
    expect((outcome as { refused: string }).refused).toMatch(/CERTIFICATE_REQUIRED/);
  });

  it('when the user service’s sidecar answers, then it proves the user service’s identity', async () => {
    // meshCall checks the server's SPIFFE ID; expecting billing's instead fails the handshake.
    const outcome = await meshCall(sidecarOf('user'), path, {
      certificate: certificateOf(serviceIdentity('billing')),
      token: billingToken,
      peer: serviceIdentity('billing'),
    });
    expect(isRefusal(outcome)).toBe(true);
  });
});

describe('no way around the sidecars', () => {
  beforeAll(() => {
    meshOfStack();
  });

  it.each(
    serviceNames.flatMap((service) =>
      (['http', 'management'] as const).map((port) => [service, port] as const),
    ),
  )(
    'when a plain-HTTP connection reaches the %s sidecar’s %s port, then it is refused',
    async (service, port) => {
      const outcome = await plainCall(sidecarOf(service, port), '/readyz');
      expect(isRefusal(outcome)).toBe(true);
    },
  );

  it('when another pod sends plain HTTP to the user service’s port on its pod address, then it is refused', async () => {
    const { pods } = meshOfStack();
    const outcome = await callFromPod('auth', `http://${pods.user}:${containerPorts.http}/users/me`);
    expect(isRefusal(outcome)).toBe(true);
  });

  it.each(serviceNames)(
    'when the %s pod’s sockets are listed, then the service listens on the pod’s loopback only and the sidecar on the pod address',
    async (service) => {
      const { pods } = meshOfStack();
      const listeners = await listenersInPod(service);
      const byAddress = (address: string) =>
        listeners.filter((l) => l.address === address).map((l) => l.process);
      for (const port of Object.values(containerPorts)) {
        expect(new Set(byAddress(`127.0.0.1:${port}`))).toEqual(new Set(['node']));
        expect(new Set(byAddress(`${pods[service]}:${port}`))).toEqual(new Set(['envoy']));
      }
      // Nothing of the service's on any other address (0.0.0.0 would be reachable from every pod).
      expect(listeners.filter((l) => l.process === 'node' && !l.address.startsWith('127.0.0.1:'))).toEqual(
        [],
      );
    },
  );

  it('when a pod calls the user service’s own port on its pod address, then only the sidecar is there (no plain answer)', async () => {
    const { pods } = meshOfStack();
    const outcome = await callFromPod('billing', `http://${pods.user}:${containerPorts.management}/metrics`);
    expect(isRefusal(outcome)).toBe(true);
  });
});

describe('the edge’s rules apply at the sidecars too', () => {
  it('when an edge with a looser map lets support through to the audit log, then the auth service’s sidecar refuses it (403) before the service', async () => {
    meshOfStack();
    const looser = auditOpenedToSupport(loadAccessMap());
    const edge = await startExtraEdge('test-mesh-looser-map', looser, environment);
    try {
      const id = uniqueRequestId('mesh-support-on-audit');
      const response = await send(`${edge.url}/api/v1/auth/audit`, {
        headers: { authorization: `Bearer ${await userToken('sam')}`, 'x-request-id': id },
      });
      expect(response.status).toBe(403);
      // The sidecar's RBAC refusal, not the service's problem document.
      expect(response.text).toBe('RBAC: access denied');
    } finally {
      await edge.stop();
    }
  });
});
