/**
 * Keeps the kernel from handing the stack's own ports to outgoing connections. Most of them
 * (PostgreSQL 55432, RabbitMQ 55672, …) lie in Linux's ephemeral range, from which every outgoing
 * connection on the machine gets its source port. A client that happens to hold 127.0.0.1:55672
 * while the broker restarts makes the broker's listener fail with `eaddrinuse`; a port probe may
 * even connect to itself. Listing the ports in `net.ipv4.ip_local_reserved_ports` (root's network
 * namespace, where the stack listens) takes them out of that draw; connecting to them and
 * listening on them are unaffected.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Environment } from '@platform/platform/environment';

const reservedPortsFile = '/proc/sys/net/ipv4/ip_local_reserved_ports';
const ephemeralRangeFile = '/proc/sys/net/ipv4/ip_local_port_range';

/**
 * Every port the environment names: a number under a key ending in `port` (`port`, `distPort`,
 * `httpPort`, …) or inside an object whose key ends in `ports` (`outboundPorts`).
 */
export function environmentPorts(env: Environment): number[] {
  const ports = new Set<number>();
  const visit = (value: unknown, key: string, inPorts: boolean): void => {
    if (typeof value === 'number' && (inPorts || /port$/i.test(key))) ports.add(value);
    else if (value !== null && typeof value === 'object') {
      for (const [childKey, child] of Object.entries(value)) visit(child, childKey, /ports$/i.test(key));
    }
  };
  visit(env, '', false);
  return [...ports].sort((a, b) => a - b);
}

/** Parses the kernel's list (`55432,55672-55673`); empty when nothing is reserved. */
export function parsePortList(list: string): Set<number> {
  const ports = new Set<number>();
  for (const part of list.trim().split(',').filter(Boolean)) {
    const [low, high] = part.split('-').map(Number) as [number, number | undefined];
    for (let port = low; port <= (high ?? low); port += 1) ports.add(port);
  }
  return ports;
}

/** The list to write: what was reserved, plus `wanted`; undefined when nothing is missing. */
export function withReserved(current: string, wanted: readonly number[]): string | undefined {
  const reserved = parsePortList(current);
  const missing = wanted.filter((port) => !reserved.has(port));
  if (missing.length === 0) return undefined;
  return [current.trim(), ...missing.map(String)].filter(Boolean).join(',');
}

/** The stack's ports in the ephemeral range, reserved; says what it did, for the progress line. */
export function reserveStackPorts(env: Environment): string {
  if (process.platform !== 'linux') return 'not needed (not Linux)';
  const [low, high] = readFileSync(ephemeralRangeFile, 'utf8').trim().split(/\s+/).map(Number) as [
    number,
    number,
  ];
  const wanted = environmentPorts(env).filter((port) => port >= low && port <= high);
  const next = withReserved(readFileSync(reservedPortsFile, 'utf8'), wanted);
  if (next === undefined) return `${wanted.length} ports in the ephemeral range already reserved`;
  if (process.getuid?.() !== 0) {
    return (
      `not reserved (needs root): ${wanted.join(', ')} may be handed to outgoing connections, ` +
      'and a restarted component may then rarely find its port taken'
    );
  }
  writeFileSync(reservedPortsFile, next);
  return `${wanted.length} ports in the ephemeral range reserved (${wanted.join(', ')})`;
}
