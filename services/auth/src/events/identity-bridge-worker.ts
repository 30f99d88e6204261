import { BackgroundLoop, backoffDelay, pause, type Logger, type ServiceWorker } from '@platform/kit';
import {
  bridgeKeycloakEvents,
  type BridgeDependencies,
  type BridgeSettings,
} from '../domain/identity-bridge/bridge-keycloak-events.js';
import type { IdentityBridgeMetrics } from './identity-bridge-metrics.js';

export interface IdentityBridgeWorkerOptions extends BridgeDependencies {
  readonly logger: Logger;
  readonly metrics: IdentityBridgeMetrics;
  readonly pollMs: number;
  /** The platform's own clients (clientId); their service accounts' ids are looked up at start. */
  readonly platformClients: readonly string[];
  readonly retentionMs: number;
}

const maxBackoffMs = 30_000;
// Service-account ids change only when a client is re-created (a realm re-import); looking them
// up again now and then bounds how long the bridge could take such a client for a person.
const actorsTtlMs = 60_000;

/**
 * Runs the bridge every `pollMs` until stopped. A failed cycle (Keycloak or the database away)
 * rolls back, is logged, and is retried with backoff; nothing is lost because the cursor only
 * moves with the events it covers. The first cycles reconcile the realm's people with the
 * snapshots until one has done so.
 */
export class IdentityBridgeWorker implements ServiceWorker {
  readonly name = 'keycloak events bridge';
  private readonly cycles = new BackgroundLoop((signal) => this.loop(signal));
  private settings: { value: Omit<BridgeSettings, 'reconcile'>; resolvedAt: number } | undefined;

  constructor(private readonly options: IdentityBridgeWorkerOptions) {}

  start(): void {
    this.cycles.start();
  }

  /** Waits for the cycle in progress to commit or roll back. */
  stop(): Promise<void> {
    return this.cycles.stop();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const { logger, metrics, pollMs } = this.options;
    let reconcile = true;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const settings = { ...(await this.resolvedSettings()), reconcile };
        const result = await bridgeKeycloakEvents(this.options, settings);
        if (result.ran) metrics.cycleSucceeded(result.enqueued);
        if (result.reconciled) {
          reconcile = false;
          logger.info({ enqueued: result.enqueued.length }, 'keycloak events bridge reconciled the realm');
        }
        if (failures > 0) logger.info({ failures }, 'keycloak events bridge recovered');
        failures = 0;
        await pause(pollMs, signal);
      } catch (error) {
        failures += 1;
        metrics.cycleFailed();
        logger.warn({ err: error, failures }, 'keycloak events bridge cycle failed; retrying');
        await pause(backoffDelay(failures, { initialMs: pollMs, maxMs: maxBackoffMs }), signal);
      }
    }
  }

  private async resolvedSettings(): Promise<Omit<BridgeSettings, 'reconcile'>> {
    if (this.settings && Date.now() - this.settings.resolvedAt < actorsTtlMs) return this.settings.value;
    const { log, platformClients, retentionMs } = this.options;
    const actors = await Promise.all(platformClients.map((clientId) => log.serviceAccountUserId(clientId)));
    const missing = platformClients.filter((_, index) => actors[index] === undefined);
    if (missing.length > 0) {
      // Their changes would be announced a second time: say so, but keep bridging the rest.
      this.options.logger.warn(
        { clients: missing },
        'keycloak events bridge: platform clients without a service account',
      );
    }
    const value = {
      platformActors: new Set(actors.filter((id) => id !== undefined)),
      platformClients: new Set(platformClients),
      retentionMs,
    };
    this.settings = { value, resolvedAt: Date.now() };
    return value;
  }
}
