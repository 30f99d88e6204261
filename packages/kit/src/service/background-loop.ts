/**
 * A loop a service runs beside its requests (a poller, a scheduled job): `start` runs `body` with
 * a signal, `stop` aborts that signal and waits for the body to return, so an iteration in progress
 * finishes (or rolls back) before the service closes its connections. Starting twice is harmless.
 */
export class BackgroundLoop {
  private stopping: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly body: (signal: AbortSignal) => Promise<void>) {}

  start(): void {
    if (this.running) return;
    const stopping = new AbortController();
    this.stopping = stopping;
    this.running = this.body(stopping.signal);
  }

  async stop(): Promise<void> {
    this.stopping?.abort();
    await this.running;
    this.running = undefined;
    this.stopping = undefined;
  }
}
