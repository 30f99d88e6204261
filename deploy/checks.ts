/**
 * The platform's own invariants over a rendered overlay. Each check returns the problems it found
 * (empty when the render is right), so the tests assert both that the real render passes and that
 * a purpose-broken copy does not.
 */
import type { RouteDeclaration } from '@platform/kit';
import type { IAuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';
import type { IPeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication';
import type { IRequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication';
import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { KubeObject } from './manifests.js';

export interface Workload {
  kind: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  pod: IPodSpec;
}

const ofKind = <T>(objects: KubeObject[], kind: string) =>
  objects.filter((object) => object.kind === kind) as unknown as (T & KubeObject)[];

export function workloadsOf(objects: KubeObject[]): Workload[] {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet')
    .map((object) => {
      const spec = object.spec as {
        template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec };
      };
      return {
        kind: object.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace ?? 'default',
        labels: spec.template.metadata?.labels ?? {},
        pod: spec.template.spec,
      };
    });
}

/** The Deployments of the platform's own services (app.kubernetes.io/component: service). */
export const serviceWorkloads = (objects: KubeObject[]) =>
  workloadsOf(objects).filter((workload) => workload.labels['app.kubernetes.io/component'] === 'service');

const allContainers = (pod: IPodSpec): IContainer[] => [...(pod.initContainers ?? []), ...pod.containers];
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined && Object.entries(selector).every(([key, value]) => labels[key] === value);

/**
 * Every Deployment and StatefulSet: probes, requests and limits, a non-root user, no privilege
 * escalation, every capability dropped, the RuntimeDefault seccomp profile, and a ServiceAccount
 * of its own that the render defines.
 */
export function workloadProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const accounts = new Set(
    ofKind<KubeObject>(objects, 'ServiceAccount').map((account) => account.metadata.name),
  );
  const usedBy = new Map<string, string>();
  for (const { kind, name, pod } of workloadsOf(objects)) {
    const at = `${kind}/${name}`;
    const account = pod.serviceAccountName;
    if (!account || account === 'default') problems.push(`${at}: no ServiceAccount of its own`);
    else {
      if (!accounts.has(account)) problems.push(`${at}: ServiceAccount ${account} is not in the render`);
      if (usedBy.has(account))
        problems.push(`${at}: shares ServiceAccount ${account} with ${usedBy.get(account)}`);
      usedBy.set(account, at);
    }
    const podSecurity = pod.securityContext ?? {};
    for (const container of allContainers(pod)) {
      const where = `${at} container ${container.name}`;
      const security = container.securityContext ?? {};
      const { requests, limits } = container.resources ?? {};
      for (const [bound, values] of [
        ['requests', requests],
        ['limits', limits],
      ] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (values?.[resource] === undefined) problems.push(`${where}: no ${resource} ${bound}`);
        }
      }
      if ((security.runAsNonRoot ?? podSecurity.runAsNonRoot) !== true)
        problems.push(`${where}: runAsNonRoot is not set`);
      if ((security.runAsUser ?? podSecurity.runAsUser) === 0) problems.push(`${where}: runs as root`);
      if (security.allowPrivilegeEscalation !== false)
        problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (!security.capabilities?.drop?.includes('ALL'))
        problems.push(`${where}: does not drop all capabilities`);
      if ((security.capabilities?.add ?? []).length > 0) problems.push(`${where}: adds capabilities`);
      if ((security.seccompProfile ?? podSecurity.seccompProfile)?.type !== 'RuntimeDefault') {
        problems.push(`${where}: seccomp profile is not RuntimeDefault`);
      }
    }
    for (const container of pod.containers) {
      if (!container.livenessProbe) problems.push(`${at} container ${container.name}: no livenessProbe`);
      if (!container.readinessProbe) problems.push(`${at} container ${container.name}: no readinessProbe`);
    }
  }
  return problems;
}

/** The named workloads' containers run with a read-only root filesystem. */
export function readOnlyRootProblems(objects: KubeObject[], names: readonly string[]): string[] {
  return workloadsOf(objects)
    .filter((workload) => names.includes(workload.name))
    .flatMap(({ name, pod }) =>
      allContainers(pod)
        .filter((container) => container.securityContext?.readOnlyRootFilesystem !== true)
        .map((container) => `${name} container ${container.name}: root filesystem is writable`),
    );
}

/**
 * The services' own Deployments: probes on the management port, migrations before start,
 * topology spread, an autoscaler and a disruption budget, settings from a ConfigMap and
 * credentials from a Secret (never literal values).
 */
export function serviceWorkloadProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const autoscalers = ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
  const budgets = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
  for (const { name, labels, pod } of serviceWorkloads(objects)) {
    const main = pod.containers[0]!;
    for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
      if (main[probe]?.httpGet?.port !== 'http-mgmt')
        problems.push(`${name}: ${probe} is not on the management port`);
    }
    if (!(pod.initContainers ?? []).some((container) => (container.args ?? []).includes('migrate'))) {
      problems.push(`${name}: no init container running migrate`);
    }
    if ((pod.topologySpreadConstraints ?? []).length === 0)
      problems.push(`${name}: no topology spread constraints`);
    if (!autoscalers.some((hpa) => hpa.spec?.scaleTargetRef.name === name))
      problems.push(`${name}: no HorizontalPodAutoscaler`);
    if (!budgets.some((pdb) => matches(pdb.spec?.selector?.matchLabels, labels)))
      problems.push(`${name}: no PodDisruptionBudget`);
    for (const container of allContainers(pod)) {
      const sources = container.envFrom ?? [];
      if (!sources.some((source) => source.configMapRef))
        problems.push(`${name} ${container.name}: no ConfigMap`);
      if (!sources.some((source) => source.secretRef)) problems.push(`${name} ${container.name}: no Secret`);
      for (const variable of container.env ?? []) {
        if (variable.value !== undefined)
          problems.push(`${name} ${container.name}: literal value for ${variable.name}`);
      }
    }
  }
  return problems;
}

/** Istio reads the protocol from the port name (or appProtocol): every Service port is named so. */
export function servicePortProblems(objects: KubeObject[]): string[] {
  const workloads = workloadsOf(objects);
  return ofKind<IService>(objects, 'Service').flatMap((service) =>
    (service.spec?.ports ?? []).flatMap((port) => {
      const at = `Service/${service.metadata.name} port ${port.port}`;
      if (!port.name) return [`${at}: unnamed`];
      const problems: string[] = [];
      if (!/^(http|http2|https|grpc|grpc-web|tcp|tls|mongo|mysql|redis)(-.+)?$/.test(port.name)) {
        problems.push(`${at}: the name ${port.name} names no protocol Istio knows`);
      }
      if (typeof port.targetPort === 'string') {
        const selected = workloads.filter((workload) => matches(service.spec?.selector, workload.labels));
        if (selected.length === 0) problems.push(`${at}: selects no workload`);
        const named = selected.some((workload) =>
          workload.pod.containers.some((container) =>
            (container.ports ?? []).some((p) => p.name === port.targetPort),
          ),
        );
        if (selected.length > 0 && !named) problems.push(`${at}: no container port named ${port.targetPort}`);
      }
      return problems;
    }),
  );
}

const authorizationPolicies = (objects: KubeObject[]) =>
  ofKind<IAuthorizationPolicy>(objects, 'AuthorizationPolicy');

/** Sidecars injected, STRICT mTLS for the whole namespace, and a default deny. */
export function meshBaselineProblems(objects: KubeObject[], namespace: string): string[] {
  const problems: string[] = [];
  const ns = objects.find((object) => object.kind === 'Namespace' && object.metadata.name === namespace);
  if (ns?.metadata.labels?.['istio-injection'] !== 'enabled')
    problems.push(`namespace ${namespace}: no sidecar injection`);
  const strict = ofKind<IPeerAuthentication>(objects, 'PeerAuthentication').filter(
    (policy) => policy.metadata.namespace === namespace && !policy.spec?.selector,
  );
  if (!strict.some((policy) => policy.spec?.mtls?.mode === 'STRICT'))
    problems.push(`namespace ${namespace}: mTLS is not STRICT`);
  for (const policy of ofKind<IPeerAuthentication>(objects, 'PeerAuthentication')) {
    if (policy.spec?.mtls?.mode && policy.spec.mtls.mode !== 'STRICT') {
      problems.push(`PeerAuthentication/${policy.metadata.name}: mode ${policy.spec.mtls.mode}`);
    }
    for (const [port, setting] of Object.entries(policy.spec?.portLevelMtls ?? {})) {
      if (setting.mode !== 'STRICT')
        problems.push(`PeerAuthentication/${policy.metadata.name}: port ${port} is ${setting.mode}`);
    }
  }
  const denyAll = authorizationPolicies(objects).some(
    (policy) =>
      policy.metadata.namespace === namespace &&
      !policy.spec?.selector &&
      (policy.spec?.action ?? 'ALLOW') === 'ALLOW' &&
      (policy.spec?.rules ?? []).length === 0 &&
      !policy.spec?.provider,
  );
  if (!denyAll) problems.push(`namespace ${namespace}: no default-deny AuthorizationPolicy`);
  return problems;
}

/**
 * Every principal an AuthorizationPolicy names is `<trust domain>/ns/<ns>/sa/<sa>` of a
 * ServiceAccount in the render, or one of the documented identities from outside it.
 */
export function principalProblems(objects: KubeObject[], external: readonly string[]): string[] {
  const accounts = new Set(
    ofKind<KubeObject>(objects, 'ServiceAccount').map(
      (account) => `cluster.local/ns/${account.metadata.namespace}/sa/${account.metadata.name}`,
    ),
  );
  return authorizationPolicies(objects).flatMap((policy) =>
    (policy.spec?.rules ?? []).flatMap((rule) =>
      (rule.from ?? []).flatMap((from) =>
        [...(from.source?.principals ?? []), ...(from.source?.notPrincipals ?? [])]
          .filter((principal) => !accounts.has(principal) && !external.includes(principal))
          .map(
            (principal) => `AuthorizationPolicy/${policy.metadata.name}: ${principal} is no ServiceAccount`,
          ),
      ),
    ),
  );
}

/** Every policy that selects workloads selects at least one in the render. */
export function selectorProblems(objects: KubeObject[]): string[] {
  const workloads = workloadsOf(objects);
  return objects
    .filter((object) =>
      ['AuthorizationPolicy', 'RequestAuthentication', 'PeerAuthentication'].includes(object.kind),
    )
    .flatMap((object) => {
      const selector = (object.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
        ?.selector;
      if (!selector) return [];
      return workloads.some((workload) => matches(selector.matchLabels, workload.labels))
        ? []
        : [`${object.kind}/${object.metadata.name}: selects no workload`];
    });
}

const workloadSelected = (
  selector: { matchLabels?: Record<string, string> } | undefined,
  workload: Workload,
) => matches(selector?.matchLabels, workload.labels);

/**
 * Every service workload verifies tokens (issuer, JWKS, audience, forwarded to the service) and
 * admits callers only through ALLOW rules that name a caller identity.
 */
export function requestAuthenticationProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const authentications = ofKind<IRequestAuthentication>(objects, 'RequestAuthentication');
  for (const workload of serviceWorkloads(objects)) {
    const rules = authentications
      .filter((authentication) => workloadSelected(authentication.spec?.selector, workload))
      .flatMap((authentication) => authentication.spec?.jwtRules ?? []);
    if (rules.length === 0) problems.push(`${workload.name}: no RequestAuthentication`);
    for (const rule of rules) {
      if (!rule.issuer || !rule.jwksUri)
        problems.push(`${workload.name}: a JWT rule without issuer or jwksUri`);
      if ((rule.audiences ?? []).length === 0)
        problems.push(`${workload.name}: a JWT rule without audiences`);
      if (rule.forwardOriginalToken !== true) problems.push(`${workload.name}: the sidecar strips the token`);
    }
    const allows = authorizationPolicies(objects).filter(
      (policy) => policy.spec?.selector && workloadSelected(policy.spec.selector, workload),
    );
    if (allows.length === 0) problems.push(`${workload.name}: no AuthorizationPolicy admits anyone`);
    for (const rule of allows.flatMap((policy) => policy.spec?.rules ?? [])) {
      if (!(rule.from ?? []).every((from) => (from.source?.principals ?? []).length > 0)) {
        problems.push(`${workload.name}: a rule admits callers without naming their identity`);
      }
    }
  }
  return problems;
}

/** `/users/{*}/x` (Istio) → `/users/:param/x` (Express), for comparing templates. */
const expressTemplateOf = (istioPath: string) => istioPath.replace(/\{\*\}/g, ':param');
const normalisedTemplate = (expressPath: string) => expressPath.replace(/:[A-Za-z][A-Za-z0-9_]*/g, ':param');

export const rolesClaimKey = 'request.auth.claims[realm_access][roles]';

/**
 * Every path an ALLOW rule opens on a service's HTTP port exists in that service's router with the
 * same method; a rule that needs a token asks for the roles the route declares, and only a public
 * route is open without one.
 */
export function routeProblems(
  objects: KubeObject[],
  routesByWorkload: Record<string, readonly RouteDeclaration[]>,
  httpPort: string,
): string[] {
  const problems: string[] = [];
  for (const workload of serviceWorkloads(objects)) {
    const routes = routesByWorkload[workload.name] ?? [];
    const policies = authorizationPolicies(objects).filter(
      (policy) => policy.spec?.selector && workloadSelected(policy.spec.selector, workload),
    );
    for (const policy of policies) {
      for (const rule of policy.spec?.rules ?? []) {
        const needsToken = (rule.from ?? []).every(
          (from) => (from.source?.requestPrincipals ?? []).length > 0,
        );
        const roles = (rule.when ?? []).find((condition) => condition.key === rolesClaimKey)?.values ?? [];
        for (const operation of (rule.to ?? []).map((to) => to.operation ?? {})) {
          if (!(operation.ports ?? []).includes(httpPort)) continue;
          for (const path of operation.paths ?? ['(any path)']) {
            for (const method of operation.methods ?? ['(any method)']) {
              const at = `AuthorizationPolicy/${policy.metadata.name}: ${method} ${path}`;
              const route = routes.find(
                (candidate) =>
                  candidate.method === method &&
                  normalisedTemplate(candidate.path) === expressTemplateOf(path),
              );
              if (!route) {
                problems.push(`${at} is not a route of ${workload.name}`);
                continue;
              }
              const isPublic = 'public' in route.access;
              if (isPublic && needsToken)
                problems.push(`${at}: the route is public but the rule needs a token`);
              if (!isPublic && !needsToken)
                problems.push(`${at}: the route needs a token but the rule does not`);
              const declared = 'roles' in route.access ? [...route.access.roles].sort() : [];
              if (!isPublic && JSON.stringify([...roles].sort()) !== JSON.stringify(declared)) {
                problems.push(
                  `${at}: roles [${roles.join(', ')}], the route declares [${declared.join(', ')}]`,
                );
              }
            }
          }
        }
      }
    }
  }
  return problems;
}

export interface TokenExpectations {
  issuer: string;
  jwksUri: string;
  audience: string;
}

const configMapData = (objects: KubeObject[], prefix: string) =>
  ofKind<IConfigMap>(objects, 'ConfigMap').find((map) => map.metadata.name.startsWith(prefix))?.data;

/**
 * One issuer, one key set, one audience: the mesh's RequestAuthentications and request principals,
 * the services' settings, Keycloak's hostname and realm, and Tyk's API definitions all name the
 * values the Keycloak render gives.
 */
export function tokenConsistencyProblems(objects: KubeObject[], expected: TokenExpectations): string[] {
  const problems: string[] = [];
  const differ = (where: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
      problems.push(`${where}: ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
    }
  };
  for (const authentication of ofKind<IRequestAuthentication>(objects, 'RequestAuthentication')) {
    for (const rule of authentication.spec?.jwtRules ?? []) {
      const at = `RequestAuthentication/${authentication.metadata.name}`;
      differ(`${at} issuer`, rule.issuer, expected.issuer);
      differ(`${at} jwksUri`, rule.jwksUri, expected.jwksUri);
      differ(`${at} audiences`, rule.audiences, [expected.audience]);
    }
  }
  for (const policy of authorizationPolicies(objects)) {
    for (const rule of policy.spec?.rules ?? []) {
      for (const principal of (rule.from ?? []).flatMap((from) => from.source?.requestPrincipals ?? [])) {
        if (!principal.startsWith(`${expected.issuer}/`)) {
          problems.push(
            `AuthorizationPolicy/${policy.metadata.name}: request principal ${principal} is not of ${expected.issuer}`,
          );
        }
      }
    }
  }
  for (const workload of serviceWorkloads(objects)) {
    const config = configMapData(objects, `${workload.name}-config`) ?? {};
    differ(`${workload.name} OIDC_ISSUER_URL`, config.OIDC_ISSUER_URL, expected.issuer);
    differ(`${workload.name} OIDC_JWKS_URL`, config.OIDC_JWKS_URL, expected.jwksUri);
    differ(`${workload.name} OIDC_AUDIENCE`, config.OIDC_AUDIENCE, expected.audience);
  }
  const keycloak = configMapData(objects, 'keycloak-config');
  const realmFile = configMapData(objects, 'keycloak-realm')?.['platform-realm.json'];
  if (keycloak && realmFile) {
    const realm = JSON.parse(realmFile) as {
      realm: string;
      clientScopes?: { protocolMappers?: { protocolMapper: string; config: Record<string, string> }[] }[];
    };
    differ('Keycloak KC_HOSTNAME + realm', `${keycloak.KC_HOSTNAME}/realms/${realm.realm}`, expected.issuer);
    const audiences = (realm.clientScopes ?? [])
      .flatMap((scope) => scope.protocolMappers ?? [])
      .filter((mapper) => mapper.protocolMapper === 'oidc-audience-mapper')
      .map((mapper) => mapper.config['included.custom.audience']);
    differ('Keycloak audience mapper', audiences, [expected.audience]);
  }
  const apps = configMapData(objects, 'tyk-gateway-apps') ?? {};
  for (const [file, text] of Object.entries(apps).filter(([file]) => file.endsWith('-oas.json'))) {
    const schemes = (
      JSON.parse(text) as {
        'x-tyk-api-gateway': {
          server: {
            authentication?: {
              securitySchemes?: Record<
                string,
                { allowedIssuers?: string[]; allowedAudiences?: string[]; jwksURIs?: { url: string }[] }
              >;
            };
          };
        };
      }
    )['x-tyk-api-gateway'].server.authentication?.securitySchemes;
    for (const [name, scheme] of Object.entries(schemes ?? {})) {
      differ(`Tyk ${file} ${name} allowedIssuers`, scheme.allowedIssuers, [expected.issuer]);
      differ(`Tyk ${file} ${name} allowedAudiences`, scheme.allowedAudiences, [expected.audience]);
      differ(
        `Tyk ${file} ${name} jwksURIs`,
        scheme.jwksURIs?.map((uri) => uri.url),
        [expected.jwksUri],
      );
    }
  }
  return problems;
}

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * A route that retries matches idempotent methods only (Istio retries every HTTP route twice
 * unless told otherwise), and every timeout stays below the edge's.
 */
export function trafficProblems(objects: KubeObject[], edgeTimeoutSeconds: number): string[] {
  const problems: string[] = [];
  for (const service of ofKind<IVirtualService>(objects, 'VirtualService')) {
    for (const [index, route] of (service.spec?.http ?? []).entries()) {
      const at = `VirtualService/${service.metadata.name} route ${route.name ?? index}`;
      const attempts = route.retries?.attempts;
      if (attempts === undefined)
        problems.push(`${at}: no retry policy (Istio's default retries every method)`);
      if ((attempts ?? 2) > 0) {
        const methods = (route.match ?? []).map((match) => match.method?.exact ?? match.method?.regex);
        const allIdempotent =
          methods.length > 0 &&
          methods.every(
            (method) => method !== undefined && method.split('|').every((m) => idempotentMethods.has(m)),
          );
        if (!allIdempotent) problems.push(`${at}: retries a non-idempotent method`);
      }
      const seconds = Number.parseFloat(route.timeout ?? 'NaN');
      // In front of the edge (bound to a Gateway) the edge's own timeout must answer first.
      const inFrontOfEdge = (service.spec?.gateways ?? []).length > 0;
      if (inFrontOfEdge && !(seconds > edgeTimeoutSeconds))
        problems.push(`${at}: timeout ${route.timeout} is not above the edge's ${edgeTimeoutSeconds}s`);
      if (!inFrontOfEdge && !(seconds < edgeTimeoutSeconds))
        problems.push(`${at}: timeout ${route.timeout} is not below the edge's ${edgeTimeoutSeconds}s`);
    }
  }
  return problems;
}

/** Every ConfigMap and Secret a pod reads is in the render (or, for Secrets, an ExternalSecret's target). */
export function referenceProblems(objects: KubeObject[]): string[] {
  const configMaps = new Set(ofKind<IConfigMap>(objects, 'ConfigMap').map((map) => map.metadata.name));
  const secrets = new Set([
    ...ofKind<ISecret>(objects, 'Secret').map((secret) => secret.metadata.name),
    ...objects
      .filter((object) => object.kind === 'ExternalSecret')
      .map((object) => (object.spec as { target?: { name?: string } }).target?.name ?? object.metadata.name),
  ]);
  const problems: string[] = [];
  for (const { name, pod } of workloadsOf(objects)) {
    const needs = (kind: 'ConfigMap' | 'Secret', ref: string | undefined) => {
      if (ref && !(kind === 'ConfigMap' ? configMaps : secrets).has(ref))
        problems.push(`${name}: ${kind} ${ref} is not in the render`);
    };
    for (const container of allContainers(pod)) {
      for (const source of container.envFrom ?? []) {
        needs('ConfigMap', source.configMapRef?.name);
        needs('Secret', source.secretRef?.name);
      }
      for (const variable of container.env ?? []) {
        needs('ConfigMap', variable.valueFrom?.configMapKeyRef?.name);
        needs('Secret', variable.valueFrom?.secretKeyRef?.name);
      }
    }
    for (const volume of pod.volumes ?? []) {
      needs('ConfigMap', volume.configMap?.name);
      needs('Secret', volume.secret?.secretName);
    }
  }
  return problems;
}

/** The environment a container gets from its ConfigMaps and Secrets (Secret values decoded). */
export function environmentOf(objects: KubeObject[], container: IContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const map = ofKind<IConfigMap>(objects, 'ConfigMap').find(
      (candidate) => candidate.metadata.name === source.configMapRef?.name,
    );
    Object.assign(env, map?.data ?? {});
    const secret = ofKind<ISecret>(objects, 'Secret').find(
      (candidate) => candidate.metadata.name === source.secretRef?.name,
    );
    for (const [key, value] of Object.entries(secret?.data ?? {}))
      env[key] = Buffer.from(value, 'base64').toString('utf8');
    Object.assign(env, secret?.stringData ?? {});
  }
  for (const variable of container.env ?? [])
    if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

/** Hosts of URLs inside the cluster (`<name>.<namespace>.svc.cluster.local`) anywhere in a text. */
const clusterHostsIn = (text: string) =>
  [...text.matchAll(/https?:\/\/([a-z0-9-]+\.[a-z0-9-]+\.svc\.cluster\.local)\b/g)].map((match) => match[1]!);

/**
 * Every in-cluster host the render points at resolves to a Service or a ServiceEntry: the sidecars'
 * JWKS (RequestAuthentication jwksUri, which Istio turns into an outbound cluster for that host),
 * and each URL in a ConfigMap (the services' settings, Tyk's APIs and JWKS). `alsoDeployed` holds
 * what is applied beside the render (k8s/observability).
 */
export function hostProblems(objects: KubeObject[], alsoDeployed: KubeObject[] = []): string[] {
  const known = new Set<string>();
  for (const object of [...objects, ...alsoDeployed]) {
    if (object.kind === 'Service')
      known.add(`${object.metadata.name}.${object.metadata.namespace ?? 'default'}.svc.cluster.local`);
    if (object.kind === 'ServiceEntry')
      for (const host of (object.spec as { hosts?: string[] }).hosts ?? []) known.add(host);
  }
  const problems = new Set<string>();
  for (const authentication of ofKind<IRequestAuthentication>(objects, 'RequestAuthentication')) {
    for (const rule of authentication.spec?.jwtRules ?? []) {
      const host = rule.jwksUri ? new URL(rule.jwksUri).hostname : undefined;
      if (host && !known.has(host))
        problems.add(
          `RequestAuthentication/${authentication.metadata.name}: jwksUri host ${host} resolves to nothing`,
        );
    }
  }
  for (const map of ofKind<IConfigMap>(objects, 'ConfigMap')) {
    for (const [key, value] of Object.entries(map.data ?? {})) {
      for (const host of clusterHostsIn(value))
        if (!known.has(host))
          problems.add(`ConfigMap/${map.metadata.name} ${key}: ${host} resolves to nothing`);
    }
  }
  return [...problems];
}
