import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Tells the benchmark which port the server got. */
export function announce(server: Server): void {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
}
