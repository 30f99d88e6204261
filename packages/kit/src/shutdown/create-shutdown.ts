import type { Logger } from '../logging/logger.js';

export type ShutdownStep = () => Promise<void> | void;

export interface ShutdownOptions {
  /** Upper bound for the whole sequence; past it the process exits 1 whatever is still running. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly exit?: (code: number) => void;
}

export interface Shutdown {
  /**
   * Adds a step. Steps run one after another in registration order, so register the HTTP servers
   * first, then messaging, then the database: each stage still has what it needs while it drains.
   */
  onShutdown(name: string, step: ShutdownStep): void;
  /** Runs the steps once; later calls return the same promise. Exits 0, or 1 if a step failed. */
  shutdown(reason: string): Promise<void>;
  /** Shuts down on SIGTERM and SIGINT; returns a function that removes the handlers. */
  installSignalHandlers(): () => void;
  readonly isShuttingDown: boolean;
}

export function createShutdown({ timeoutMs, logger, exit = process.exit }: ShutdownOptions): Shutdown {
  const steps: { name: string; step: ShutdownStep }[] = [];
  let running: Promise<void> | undefined;
  // Set before any step runs, so readiness reports the shutdown before the first step acts.
  let shuttingDown = false;

  async function run(reason: string): Promise<void> {
    logger.info({ reason, timeoutMs }, 'shutting down');
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      logger.error({ timeoutMs }, 'shutdown did not finish in time, exiting');
      exit(1);
    }, timeoutMs);
    // The deadline must never be what keeps an otherwise finished process alive.
    deadline.unref();

    let failed = false;
    for (const { name, step } of steps) {
      const startedAt = performance.now();
      try {
        await step();
        logger.info(
          { step: name, durationMs: Math.round(performance.now() - startedAt) },
          'shutdown step done',
        );
      } catch (error) {
        failed = true;
        logger.error({ err: error, step: name }, 'shutdown step failed');
      }
    }
    clearTimeout(deadline);
    if (timedOut) return;
    logger.info({ failed }, 'shutdown complete');
    exit(failed ? 1 : 0);
  }

  function shutdown(reason: string): Promise<void> {
    shuttingDown = true;
    running ??= run(reason);
    return running;
  }

  return {
    onShutdown(name, step) {
      steps.push({ name, step });
    },
    shutdown,
    installSignalHandlers() {
      // `once`: a second Ctrl+C falls through to Node's default and kills a shutdown that hangs.
      const onSignal = (signal: NodeJS.Signals) => void shutdown(signal);
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      return () => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      };
    },
    get isShuttingDown() {
      return shuttingDown;
    },
  };
}
