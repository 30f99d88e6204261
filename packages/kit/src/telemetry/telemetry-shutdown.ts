// Kept apart from register.ts so that importing the kit never starts tracing as a side effect; the
// app only needs this to flush spans at the end of its shutdown sequence.

let flushAndStop: (() => Promise<void>) | undefined;

export function setTelemetryShutdown(stop: () => Promise<void>): void {
  flushAndStop = stop;
}

/** Flushes pending spans and stops tracing; does nothing when tracing is off. Run it as the last shutdown step. */
export async function shutdownTelemetry(): Promise<void> {
  await flushAndStop?.();
}
