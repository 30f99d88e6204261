/**
 * skaffold.yaml's structure for `skaffold/v4beta13`, for the parts this repository may use.
 *
 * Skaffold publishes its configuration schema only in its own repository (no npm package or
 * module here carries it, and skaffold itself is not on the Go module proxy), so this transcribes
 * the published v4beta13/v4beta14 JSON schema's definitions for those parts: the same field
 * names, types, required fields and closed objects (`additionalProperties: false`). A field
 * skaffold does not know fails here as it fails `skaffold` itself; a section used for the first
 * time needs its definition added here.
 */
import { z } from 'zod';

const strings = z.array(z.string());

// Definitions: SyncRule, Sync.
const syncRule = z.object({ src: z.string(), dest: z.string(), strip: z.string().optional() }).strict();
const sync = z
  .object({ manual: z.array(syncRule).optional(), infer: strings.optional(), auto: z.boolean().optional() })
  .strict();

// Definition: DockerArtifact.
const dockerArtifact = z
  .object({
    dockerfile: z.string().optional(),
    target: z.string().optional(),
    buildArgs: z.record(z.string(), z.string()).optional(),
    network: z.string().optional(),
    addHost: strings.optional(),
    cacheFrom: strings.optional(),
    cacheTo: strings.optional(),
    cliFlags: strings.optional(),
    pullParent: z.boolean().optional(),
    noCache: z.boolean().optional(),
    squash: z.boolean().optional(),
    ssh: z.string().optional(),
  })
  .strict();

// Definition: Artifact (the docker variant of its anyOf).
const artifact = z
  .object({
    image: z.string(),
    context: z.string().optional(),
    sync: sync.optional(),
    platforms: strings.optional(),
    runtimeType: z.string().optional(),
    docker: dockerArtifact.optional(),
  })
  .strict();

// Definitions: LocalBuild, BuildConfig (the local variant of its anyOf).
const localBuild = z
  .object({
    push: z.boolean().optional(),
    tryImportMissing: z.boolean().optional(),
    useDockerCLI: z.boolean().optional(),
    useBuildkit: z.boolean().optional(),
    concurrency: z.number().int().optional(),
  })
  .strict();
const buildConfig = z
  .object({
    artifacts: z.array(artifact).optional(),
    insecureRegistries: strings.optional(),
    platforms: strings.optional(),
    local: localBuild.optional(),
  })
  .strict();

// Definitions: Kustomize, RenderConfig.
const kustomize = z.object({ paths: strings.optional(), buildArgs: strings.optional() }).strict();
const renderConfig = z
  .object({ rawYaml: strings.optional(), kustomize: kustomize.optional(), output: z.string().optional() })
  .strict();

// Definitions: KubectlFlags, KubectlDeploy, DeployConfig.
const kubectlFlags = z
  .object({
    global: strings.optional(),
    apply: strings.optional(),
    delete: strings.optional(),
    disableValidation: z.boolean().optional(),
  })
  .strict();
const kubectlDeploy = z
  .object({
    flags: kubectlFlags.optional(),
    remoteManifests: strings.optional(),
    defaultNamespace: z.string().optional(),
  })
  .strict();
const deployConfig = z
  .object({
    kubectl: kubectlDeploy.optional(),
    statusCheck: z.boolean().optional(),
    statusCheckDeadlineSeconds: z.number().int().optional(),
    tolerateFailuresUntilDeadline: z.boolean().optional(),
    kubeContext: z.string().optional(),
  })
  .strict();

// Definition: PortForwardResource.
const portForward = z
  .object({
    resourceType: z.string().optional(),
    resourceName: z.string().optional(),
    namespace: z.string().optional(),
    port: z.union([z.string(), z.number().int()]).optional(),
    address: z.string().optional(),
    localPort: z.number().int().optional(),
  })
  .strict();

// Definitions: Activation, JSONPatch, Profile.
const activation = z
  .object({ env: z.string().optional(), kubeContext: z.string().optional(), command: z.string().optional() })
  .strict();
const jsonPatch = z
  .object({
    op: z.string().optional(),
    path: z.string(),
    from: z.string().optional(),
    value: z.unknown().optional(),
  })
  .strict();
const profile = z
  .object({
    name: z.string(),
    activation: z.array(activation).optional(),
    requiresAllActivations: z.boolean().optional(),
    patches: z.array(jsonPatch).optional(),
    build: buildConfig.optional(),
    manifests: renderConfig.optional(),
    deploy: deployConfig.optional(),
    portForward: z.array(portForward).optional(),
  })
  .strict();

// Definitions: Metadata, SkaffoldConfig.
const metadata = z
  .object({
    name: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const skaffoldApiVersion = 'skaffold/v4beta13';

export const skaffoldConfigSchema = z
  .object({
    apiVersion: z.literal(skaffoldApiVersion),
    kind: z.literal('Config'),
    metadata: metadata.optional(),
    build: buildConfig.optional(),
    manifests: renderConfig.optional(),
    deploy: deployConfig.optional(),
    portForward: z.array(portForward).optional(),
    profiles: z.array(profile).optional(),
  })
  .strict();

export type SkaffoldConfig = z.output<typeof skaffoldConfigSchema>;
export type SkaffoldBuild = z.output<typeof buildConfig>;
