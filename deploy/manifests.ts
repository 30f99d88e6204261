/**
 * Rendering and schema-checking the manifests offline: kustomize builds an overlay, every object is
 * validated against its Kubernetes, Istio or External Secrets schema (npm `kubernetes-models` and
 * friends), decoded strictly like the API server does (kube-strict), and Istio's own validation
 * (istioctl) and every one of its analyzers (mesh-analyzer) run on the whole render, without a cluster.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as externalSecrets from '@kubernetes-models/external-secrets';
import * as istio from '@kubernetes-models/istio';
import * as kubernetes from 'kubernetes-models';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '@platform/platform/environment';
import { ensureClusterTool, type ClusterTool } from '@platform/dev/tools/cluster-tools';

/** A Kubernetes object as read from a render; fields are read through the typed views in checks.ts. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export const overlays = ['dev', 'prod'] as const;
export type Overlay = (typeof overlays)[number];

export function tool(name: ClusterTool): string {
  return ensureClusterTool(name, (line) => process.stdout.write(`[tools] ${line}\n`));
}

function run(command: string, args: string[], input?: string): { status: number; output: string } {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}`.trim() };
}

/** `kustomize build` of a kustomization folder (relative to the repository root), as YAML. */
export function kustomizeBuild(path: string): string {
  const { status, output } = run(tool('kustomize'), ['build', join(repoRoot, path)]);
  if (status !== 0) throw new Error(`kustomize build ${path} failed:\n${output}`);
  return output;
}

export function parseObjects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText)
    .map((document) => {
      if (document.errors.length > 0)
        throw new Error(document.errors.map((error) => error.message).join('\n'));
      return document.toJSON() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}

export function renderOverlay(overlay: Overlay): { yaml: string; objects: KubeObject[] } {
  const yaml = kustomizeBuild(`k8s/overlays/${overlay}`);
  return { yaml, objects: parseObjects(yaml) };
}

type ModelClass = new (data: unknown) => { validate(): void };
type ModelTree = Record<string, Record<string, Record<string, ModelClass>>>;

/** `security.istio.io/v1` → the model package's `securityIstioIo.v1`; `v1` → the core group. */
function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const key =
    group === '' ? undefined : group!.replace(/[.-]([a-z])/g, (_, letter: string) => letter.toUpperCase());
  for (const tree of [kubernetes, istio, externalSecrets] as unknown as ModelTree[]) {
    const models =
      key === undefined ? (tree[version!] as unknown as Record<string, ModelClass>) : tree[key]?.[version!];
    if (models?.[kind]) return models[kind];
  }
  return undefined;
}

/**
 * kustomize wraps long base64 Secret values over several lines; the API server's base64 decoder
 * skips line breaks, the schema's `byte` format does not.
 */
function withUnwrappedSecretData(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(
    Object.entries(object.data as Record<string, string>).map(([key, value]) => [
      key,
      value.replace(/[\r\n]/g, ''),
    ]),
  );
  return { ...object, data };
}

/** Schema problems of one object: its kind unknown to the schemas, or a value its schema rejects. */
export function schemaProblems(object: KubeObject): string[] {
  const name = `${object.kind}/${object.metadata?.name}`;
  const Model = modelFor(object.apiVersion, object.kind);
  if (!Model) return [`${name}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(withUnwrappedSecretData(object)).validate();
    return [];
  } catch (error) {
    return [`${name}: ${(error as Error).message}`];
  }
}

/** Unknown, duplicated or mistyped fields in built-in kinds, as the API server's strict field validation sees them. */
export function strictDecodingProblems(yamlText: string): string[] {
  const { status, output } = run(tool('kube-strict'), [], yamlText);
  if (status === 0) return [];
  return output.split('\n').filter((line) => line.startsWith('document '));
}

/** istioctl validate (strict decoding of Istio objects, Istio's requirements on Services and pods). */
export function istioValidationProblems(file: string): string[] {
  const { status, output } = run(tool('istioctl'), ['validate', '-f', file]);
  if (status !== 0) return [output];
  // Warnings leave the exit code at 0 but name what Istio will not do for a workload: they count.
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.endsWith(' is valid'));
}

interface MeshAnalysis {
  analyzers: { ran: string[]; skipped: string[] };
  messages: { code: string; level: string; origin: string; text: string }[];
}

/** Findings the platform accepts, each with its reason (deploy/istio-analysis-allowed.yaml). */
const allowedFindings = (
  parse(readFileSync(join(repoRoot, 'deploy', 'istio-analysis-allowed.yaml'), 'utf8')) as {
    allowed: { code: string; origin: string; reason: string }[];
  }
).allowed;

/**
 * Every one of Istio's analyzers over renders applied together (dev/tools/mesh-analyzer: Istio's
 * analysis packages, with the Pods a cluster would run made from the workloads' templates).
 * `istioctl analyze` on files skips the analyzers that need Services, Namespaces or Pods. A
 * skipped analyzer is a problem; so is every message, of any level, not on the allow list.
 */
export function istioAnalyzerProblems(files: string[]): string[] {
  const { status, output } = run(tool('mesh-analyzer'), files);
  if (status !== 0) return [output];
  const analysis = JSON.parse(output.slice(output.indexOf('{'))) as MeshAnalysis;
  return [
    ...analysis.analyzers.skipped.map((name) => `analyzer ${name}: skipped`),
    ...analysis.messages
      .filter(
        ({ code, origin }) =>
          !allowedFindings.some((allowed) => allowed.code === code && allowed.origin === origin),
      )
      .map(({ code, level, origin, text }) => `${code} ${level} ${origin}: ${text}`),
  ];
}

export function hadolintProblems(dockerfile: string): string[] {
  const { status, output } = run(tool('hadolint'), ['--no-color', dockerfile]);
  return status === 0 ? [] : [output];
}

/** `istioctl manifest generate`: renders Istio's own installation from an IstioOperator, offline. */
export function istioInstallProblems(file: string): string[] {
  const { status, output } = run(tool('istioctl'), ['manifest', 'generate', '-f', file]);
  return status === 0 ? [] : [output.slice(-4000)];
}
