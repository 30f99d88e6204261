import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP front for the stack's user service that the test can close and open: while closed it
 * resets every connection (the user service looks down to billing, nothing else is affected),
 * while open it forwards bytes unchanged. It counts both, to show how often billing tried.
 */
export class UserServiceGate {
  refused = 0;
  forwarded = 0;
  private isOpen = false;
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((socket) => this.accept(socket));

  private constructor(private readonly target: URL) {}

  static async start(targetUrl: string): Promise<UserServiceGate> {
    const gate = new UserServiceGate(new URL(targetUrl));
    gate.server.listen(0, '127.0.0.1');
    await once(gate.server, 'listening');
    return gate;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  open(): void {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (!this.isOpen) {
      this.refused += 1;
      socket.resetAndDestroy();
      return;
    }
    this.forwarded += 1;
    const upstream = connect(Number(this.target.port), this.target.hostname);
    for (const end of [socket, upstream]) {
      this.sockets.add(end);
      end.on('close', () => this.sockets.delete(end));
    }
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  }
}
