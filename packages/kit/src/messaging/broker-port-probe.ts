import { connect } from 'node:net';

export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

/** Where an AMQP URL points: its host and port (5672, or 5671 for amqps, when none is given). */
export function brokerAddress(url: string): BrokerAddress {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'amqps:' ? 5671 : 5672;
  // URL keeps IPv6 literals in brackets; net.connect wants them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  return { host, port: parsed.port ? Number(parsed.port) : defaultPort };
}

// Failures of the network path, not of the broker's answer: nothing listens, or nothing is reachable.
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

/** True when a connect attempt failed because the broker's port could not be reached at all. */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && unreachableCodes.has(code);
}

/**
 * One bare TCP connect, closed at once: whether anything accepts on the broker's port. It sends
 * no AMQP bytes, so the broker sees a connection that opened and closed, nothing more.
 */
export function portAccepts({ host, port }: BrokerAddress, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
