/**
 * Every object of every overlay against its schema: the Kubernetes, Istio and External Secrets
 * schemas (kubernetes-models), strict decoding into the API's own types (unknown or mistyped
 * fields, as the API server's strict field validation rejects them), Istio's own validation
 * (istioctl) and every one of its analyzers (mesh-analyzer), offline.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '@platform/platform/environment';
import { clusterTools } from '@platform/dev/tools/cluster-tools';
import {
  istioAnalyzerProblems,
  istioInstallProblems,
  istioValidationProblems,
  kustomizeBuild,
  overlays,
  renderOverlay,
  schemaProblems,
  strictDecodingProblems,
  tool,
  type KubeObject,
} from '../manifests.js';

const scratch = mkdtempSync(join(tmpdir(), 'deploy-schemas-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// A cold machine builds the tools first (istioctl: several minutes); later runs find them cached.
beforeAll(() => {
  for (const name of clusterTools) tool(name);
}, 30 * 60_000);

describe.each(overlays)('the %s overlay', (overlay) => {
  let yaml = '';
  let objects: KubeObject[] = [];
  let file = '';
  beforeAll(() => {
    ({ yaml, objects } = renderOverlay(overlay));
    file = join(scratch, `${overlay}.yaml`);
    writeFileSync(file, yaml);
  });

  it('when kustomize renders it, then it yields the services, the mesh and the edge', () => {
    const names = objects.map((object) => `${object.kind}/${object.metadata.name}`);
    for (const name of ['auth-service', 'user-service', 'billing-service', 'tyk-gateway']) {
      expect(names).toContain(`Deployment/${name}`);
    }
    expect(names).toContain('PeerAuthentication/default');
    expect(names).toContain('AuthorizationPolicy/default-deny');
  });

  it('when each object is checked against its Kubernetes, Istio or External Secrets schema, then all pass', () => {
    expect(objects.flatMap(schemaProblems)).toEqual([]);
  });

  it('when the built-in kinds are decoded strictly, then no field is unknown, duplicated or mistyped', () => {
    expect(strictDecodingProblems(yaml)).toEqual([]);
  });

  it('when istioctl validates the render, then Istio accepts every object', () => {
    expect(istioValidationProblems(file)).toEqual([]);
  });

  it("when all of Istio's analyzers run on the render with the observability beside it, then they report nothing", () => {
    const observability = join(scratch, 'observability.yaml');
    writeFileSync(observability, kustomizeBuild('k8s/observability'));
    expect(istioAnalyzerProblems([file, observability])).toEqual([]);
  });
});

describe('the Istio installation (mesh/install/istio-operator.yaml)', () => {
  const installFile = join(repoRoot, 'mesh', 'install', 'istio-operator.yaml');
  const operator = parse(readFileSync(installFile, 'utf8')) as KubeObject & {
    spec: { values: { pilot: { env: Record<string, string> } } };
  };

  it('when checked against the IstioOperator schema, then it passes', () => {
    expect(schemaProblems(operator)).toEqual([]);
  });

  it('when istioctl renders the installation from it offline, then it succeeds', () => {
    expect(istioInstallProblems(installFile)).toEqual([]);
  });

  it('when istiod fetches no JWKS itself, then in-mesh Keycloak keys reach the sidecars (Envoy fetches them)', () => {
    expect(operator.spec.values.pilot.env.PILOT_JWT_ENABLE_REMOTE_JWKS).toBe('envoy');
  });
});
