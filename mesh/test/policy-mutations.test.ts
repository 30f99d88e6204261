/**
 * The sidecars run what the files say: a copy of mesh/ with one thing changed, compiled by the same
 * compiler and loaded into a second sidecar in the user service's pod (on ports of its own, in
 * front of the same service), changes exactly the matching case. An unchanged copy first shows
 * the second sidecar answers as the real one does.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from '@platform/platform/environment';
import { serviceIdentity } from '@platform/platform/topology';
import { startExtraSidecar, type ExtraSidecar } from '@platform/dev/stack/mesh-sidecars';
import { deleteTestUsers, type TestUser } from '@platform/test-support/keycloak-users';
import { environment } from '@platform/test-support/stack';
import {
  certificateOf,
  isRefusal,
  meshCall,
  meshOfStack,
  type Outcome,
  plainCall,
} from './support/mesh-client.js';
import { internalLookup } from './support/internal-lookup.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of mesh/ (its YAML only) with `edit` applied to the documents of one file. */
function meshCopy(file: string, edit: (docs: Doc[]) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-copy-'));
  cpSync(join(repoRoot, 'mesh'), dir, {
    recursive: true,
    filter: (source) => !source.includes(`${join(repoRoot, 'mesh', 'test')}`),
  });
  const path = join(dir, file);
  const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => doc.toJS() as Doc);
  edit(docs);
  writeFileSync(path, docs.map((doc) => stringify(doc)).join('---\n'));
  return dir;
}

const userCallers = (docs: Doc[]) => docs.find((doc) => doc.metadata.name === 'user-service-callers')!;
/** The rule admitting billing to GET /internal/users/{id}. */
const isBillingLookup = (rule: Doc) =>
  rule.from[0].source.principals.includes('cluster.local/ns/platform/sa/billing-service') &&
  rule.to[0].operation.paths.includes('/internal/users/{*}');

interface Variant {
  name: string;
  file: string;
  edit: (docs: Doc[]) => void;
  ports: { http: number; management: number };
}

const variants: Record<string, Variant> = {
  unchanged: {
    name: 'unchanged',
    file: 'default-deny.yaml',
    edit: () => {},
    ports: { http: 23000, management: 29090 },
  },
  allowRemoved: {
    name: 'allow-removed',
    file: 'jwt-authorization.yaml',
    edit: (docs) => {
      const policy = userCallers(docs);
      policy.spec.rules = policy.spec.rules.filter((rule: Doc) => !isBillingLookup(rule));
    },
    ports: { http: 23001, management: 29091 },
  },
  principalChanged: {
    name: 'principal-changed',
    file: 'jwt-authorization.yaml',
    edit: (docs) => {
      const rule = userCallers(docs).spec.rules.find(isBillingLookup);
      rule.from[0].source.principals = ['cluster.local/ns/platform/sa/auth-service'];
    },
    ports: { http: 23002, management: 29092 },
  },
  permissive: {
    name: 'permissive',
    file: 'peer-authentication.yaml',
    edit: ([policy]) => {
      policy!.spec.mtls.mode = 'PERMISSIVE';
    },
    ports: { http: 23003, management: 29093 },
  },
};

let person: TestUser;
let path: string;
let billingToken: string;

beforeAll(async () => {
  meshOfStack();
  ({ person, path, billingToken } = await internalLookup('mesh-mutation'));
}, 60_000);

afterAll(async () => {
  await deleteTestUsers([person]);
});

/** Starts a second user-service sidecar on a changed copy of mesh/ for the tests of one describe. */
function withSidecar(variant: Variant): () => ExtraSidecar {
  let sidecar: ExtraSidecar | undefined;
  let copy = '';
  beforeAll(async () => {
    copy = meshCopy(variant.file, variant.edit);
    sidecar = await startExtraSidecar(environment, 'user', {
      name: variant.name,
      meshDir: copy,
      ports: variant.ports,
    });
  }, 60_000);
  afterAll(async () => {
    await sidecar?.stop();
    rmSync(copy, { recursive: true, force: true });
  });
  return () => sidecar!;
}

function lookupAs(sidecar: ExtraSidecar, caller: 'auth' | 'billing'): Promise<Outcome> {
  return meshCall({ host: sidecar.address, port: sidecar.ports.http }, path, {
    certificate: certificateOf(serviceIdentity(caller)),
    token: billingToken,
    peer: serviceIdentity('user'),
  });
}

const statusOf = (outcome: Outcome) => (isRefusal(outcome) ? `refused (${outcome.refused})` : outcome.status);

describe('a second sidecar on an unchanged copy of mesh/', () => {
  const sidecar = withSidecar(variants.unchanged!);

  it('when billing looks a user up through it, then 200, as through the real sidecar', async () => {
    expect(statusOf(await lookupAs(sidecar(), 'billing'))).toBe(200);
  });

  it('when auth makes the same call, then 403', async () => {
    expect(statusOf(await lookupAs(sidecar(), 'auth'))).toBe(403);
  });

  it('when plain HTTP reaches it, then the connection is refused (STRICT)', async () => {
    const { address, ports } = sidecar();
    expect(isRefusal(await plainCall({ host: address, port: ports.http }, path))).toBe(true);
  });
});

describe('a copy without the rule that admits billing to GET /internal/users/{id}', () => {
  const sidecar = withSidecar(variants.allowRemoved!);

  it('when billing looks a user up, then 403: the case the rule allowed now fails', async () => {
    expect(statusOf(await lookupAs(sidecar(), 'billing'))).toBe(403);
  });
});

describe('a copy whose rule names auth-service instead of billing-service', () => {
  const sidecar = withSidecar(variants.principalChanged!);

  it('when billing looks a user up, then 403', async () => {
    expect(statusOf(await lookupAs(sidecar(), 'billing'))).toBe(403);
  });

  it('when auth makes the same call, then 200: the sidecar admits whom the file names', async () => {
    expect(statusOf(await lookupAs(sidecar(), 'auth'))).toBe(200);
  });
});

describe('a copy whose PeerAuthentication is PERMISSIVE instead of STRICT', () => {
  const sidecar = withSidecar(variants.permissive!);

  it('when plain HTTP reaches it, then the connection is taken and only RBAC refuses it (403, no peer identity)', async () => {
    const { address, ports } = sidecar();
    expect(statusOf(await plainCall({ host: address, port: ports.http }, path))).toBe(403);
  });
});
