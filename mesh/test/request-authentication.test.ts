/**
 * RequestAuthentication at a sidecar (mesh/jwt-authentication.yaml, compiled by Istio into
 * jwt_authn): the bad-token matrix the edge and the services refuse, sent to the user service's
 * sidecar from the edge's identity on a route whose rule (mesh/jwt-authorization.yaml) needs a
 * request principal and the `user` role.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { edgeIdentity, serviceIdentity } from '@platform/platform/topology';
import { userToken } from '@platform/test-support/tokens';
import { badTokens, type BadToken } from '../../edge/test/support/bad-tokens.js';
import {
  certificateOf,
  isRefusal,
  meshCall,
  meshOfStack,
  type Outcome,
  sidecarOf,
} from './support/mesh-client.js';

let valid: string;
let tokens: BadToken[] = [];

beforeAll(async () => {
  meshOfStack();
  valid = await userToken('alice');
  tokens = await badTokens(valid);
});

function asEdge(authorization?: string): Promise<Outcome> {
  return meshCall(sidecarOf('user'), '/users/me', {
    certificate: certificateOf(edgeIdentity),
    headers: authorization ? { authorization } : {},
    peer: serviceIdentity('user'),
  });
}

const answer = (outcome: Outcome) => {
  if (isRefusal(outcome)) throw new Error(`the sidecar refused the connection: ${outcome.refused}`);
  return outcome;
};

describe('RequestAuthentication at the user service’s sidecar', () => {
  it('when the edge’s identity sends a valid token of a user, then the sidecar lets it through (200)', async () => {
    expect(answer(await asEdge(`Bearer ${valid}`)).status).toBe(200);
  });

  it('when there is no token, then 403: RequestAuthentication passes it, the rule needs a request principal', async () => {
    const response = answer(await asEdge());
    expect(response.status).toBe(403);
    expect(response.text).toBe('RBAC: access denied');
  });

  // Every defect but the audience is a 401 from jwt_authn; a genuine realm token for another
  // audience is Envoy's (and so Istio's) 403 "Audiences in Jwt are not allowed".
  const defects = () => tokens.filter((token) => token.authorization !== undefined);
  it('when a token is malformed, forged, expired, not yet valid, of another issuer or key, then 401 invalid_token', async () => {
    const seen: Record<string, number> = {};
    for (const token of defects().filter((t) => t.name !== 'a wrong audience')) {
      const response = answer(await asEdge(token.authorization));
      seen[token.name] = response.status;
      if (response.status === 401) expect(response.headers['www-authenticate']).toMatch(/invalid_token/);
    }
    expect(Object.values(seen).length).toBeGreaterThanOrEqual(9);
    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((name) => [name, 401])));
  });

  it('when a genuine realm token carries another audience, then jwt_authn refuses it (403, audiences not allowed)', async () => {
    const token = tokens.find((t) => t.name === 'a wrong audience')!;
    const response = answer(await asEdge(token.authorization));
    expect(response.status).toBe(403);
    expect(response.text).toBe('Audiences in Jwt are not allowed');
  });
});
