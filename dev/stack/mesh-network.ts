/**
 * The local mesh's network: a bridge in the root network namespace and one network namespace per
 * service (its pod), joined to the bridge by a veth pair. Pod-to-pod traffic stays on the bridge
 * (no IP forwarding, no NAT); the root namespace has the bridge's address, where the pods find the
 * infrastructure. A pod's loopback is its own: the service listens there, so only its sidecar (in
 * the same namespace) reaches it. Everything is created with iproute2 and needs root.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Environment, localOnly, type ServiceName, serviceNames } from '@platform/platform/environment';
import { run, runOrFail, StepError } from './processes.js';

/** Where iproute2 keeps named network namespaces. */
const netnsDir = '/var/run/netns';

/** A service's pod: its network namespace. */
export const podNetns = (service: ServiceName) => `platform-${service}`;
export const podNetnsPath = (service: ServiceName) => join(netnsDir, podNetns(service));
/** A handle on the root namespace, for the port-forwards that listen there from inside a pod. */
export const hostNetns = 'platform-host';
export const hostNetnsPath = join(netnsDir, hostNetns);
/** The root side of a pod's veth pair (an interface name has at most 15 characters). */
const hostVeth = (service: ServiceName) => `veth-${service}`.slice(0, 15);

/** Why this machine cannot run the local mesh, or undefined when it can. */
export function meshUnsupportedReason(): string | undefined {
  if (process.platform !== 'linux') return 'the local mesh needs Linux network namespaces';
  if (process.getuid?.() !== 0) {
    return (
      'the local mesh creates network namespaces, a bridge and veth pairs, which needs root ' +
      '(run: sudo npm run stack; or npm run stack -- --no-mesh to run without the mesh)'
    );
  }
  return undefined;
}

async function ip(args: string[]): Promise<string> {
  return runOrFail('ip', args);
}

async function succeeds(args: string[]): Promise<boolean> {
  return (await run('ip', args)).code === 0;
}

interface AddressInfo {
  ifname: string;
  master?: string;
  operstate?: string;
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

async function addressesOf(device: string, netns?: string): Promise<AddressInfo | undefined> {
  const result = await run('ip', [...(netns ? ['-n', netns] : []), '-j', 'addr', 'show', 'dev', device]);
  if (result.code !== 0) return undefined;
  return (JSON.parse(result.stdout) as AddressInfo[])[0];
}

const hasAddress = (info: AddressInfo | undefined, address: string, prefix: number) =>
  info?.addr_info?.some((a) => a.family === 'inet' && a.local === address && a.prefixlen === prefix) ?? false;

const prefixOf = (subnet: string) => Number(subnet.split('/')[1]);

/** Creates what is missing of the bridge, the root handle and the pods; leaves what is right alone. */
export async function ensureMeshNetwork(env: Environment): Promise<string> {
  const reason = meshUnsupportedReason();
  if (reason) throw new StepError(reason);
  const mesh = localOnly(env.mesh, 'mesh', env);
  const prefix = prefixOf(mesh.subnet);
  const created: string[] = [];

  const bridge = await addressesOf(mesh.bridge);
  if (!bridge) {
    await ip(['link', 'add', 'name', mesh.bridge, 'type', 'bridge']);
    created.push(`bridge ${mesh.bridge}`);
  }
  if (!hasAddress(bridge, mesh.hostAddress, prefix)) {
    await ip(['addr', 'replace', `${mesh.hostAddress}/${prefix}`, 'dev', mesh.bridge]);
  }
  await ip(['link', 'set', mesh.bridge, 'up']);

  if (!isHandleOfOwnNamespace(hostNetnsPath)) {
    if (existsSync(hostNetnsPath)) await ip(['netns', 'delete', hostNetns]);
    await ip(['netns', 'attach', hostNetns, String(process.pid)]);
  }

  for (const service of serviceNames) {
    const netns = podNetns(service);
    const address = mesh.pods[service];
    const inside = existsSync(podNetnsPath(service)) ? await addressesOf('eth0', netns) : undefined;
    const outside = await addressesOf(hostVeth(service));
    if (hasAddress(inside, address, prefix) && outside?.master === mesh.bridge) continue;
    // Something is off (a half-made pod, another address): make it afresh.
    await removePod(service);
    await ip(['netns', 'add', netns]);
    await ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    await ip(['link', 'add', hostVeth(service), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    await ip(['link', 'set', hostVeth(service), 'master', mesh.bridge, 'up']);
    await ip(['-n', netns, 'addr', 'add', `${address}/${prefix}`, 'dev', 'eth0']);
    await ip(['-n', netns, 'link', 'set', 'eth0', 'up']);
    created.push(`pod ${service} ${address}`);
  }
  const summary = `bridge ${mesh.bridge} ${mesh.hostAddress}/${prefix}, pods ${serviceNames
    .map((service) => `${service} ${mesh.pods[service]}`)
    .join(', ')}`;
  return created.length > 0 ? `created ${created.join(', ')} (${summary})` : `present (${summary})`;
}

/** Whether a netns handle exists and is the namespace this process runs in. */
function isHandleOfOwnNamespace(path: string): boolean {
  if (!existsSync(path)) return false;
  const handle = statSync(path);
  const own = statSync('/proc/self/ns/net');
  return handle.ino === own.ino && handle.dev === own.dev;
}

async function removePod(service: ServiceName): Promise<boolean> {
  let removed = false;
  if (existsSync(podNetnsPath(service))) {
    await ip(['netns', 'delete', podNetns(service)]);
    removed = true;
  }
  // A namespace some process still holds keeps its veth: remove the root side explicitly. The
  // kernel removes it too once the namespace is gone, a moment after the delete returns, so a link
  // that vanished between the check and the delete is removed, not a failure.
  if (await succeeds(['link', 'show', 'dev', hostVeth(service)])) {
    await ip(['link', 'delete', hostVeth(service)]).catch(async (error: unknown) => {
      if (await succeeds(['link', 'show', 'dev', hostVeth(service)])) throw error;
    });
    removed = true;
  }
  return removed;
}

/** Removes the pods, the root handle and the bridge; idempotent. Stop what runs inside first. */
export async function removeMeshNetwork(env: Environment): Promise<boolean> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  let removed = false;
  for (const service of serviceNames) removed = (await removePod(service)) || removed;
  if (existsSync(hostNetnsPath)) {
    await ip(['netns', 'delete', hostNetns]);
    removed = true;
  }
  const bridge = env.mesh?.bridge;
  if (bridge && (await succeeds(['link', 'show', 'dev', bridge]))) {
    await ip(['link', 'delete', bridge]);
    removed = true;
  }
  return removed;
}

/** Whether every pod's namespace exists (the mesh network is up). */
export function meshNetworkPresent(): boolean {
  return serviceNames.every((service) => existsSync(podNetnsPath(service)));
}

/** A command as run inside a pod: `ip netns exec` enters its network namespace, then execs it. */
export function inPod(service: ServiceName, command: string, args: string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', podNetns(service), command, ...args]];
}
