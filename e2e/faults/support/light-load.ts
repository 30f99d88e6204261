/**
 * A few requests a second against the running stack, each probe in a loop of its own, every
 * answer recorded under the phase it was sent in, so a fault test can say what callers saw before,
 * during and after an outage.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { send, type EdgeResponse } from '@platform/test-support/edge';

export interface Probe {
  /** How it is shown in the counts, e.g. `user GET /users/me (edge)`. */
  readonly name: string;
  /** Sends one request; resolves with the answer (a reset or timeout rejects). */
  readonly call: () => Promise<EdgeResponse>;
  /** Pause between two calls of this probe. */
  readonly intervalMs: number;
  /** Called with every answer (e.g. to remember the ids that sign-ups returned). */
  readonly onAnswer?: (response: EdgeResponse) => void;
}

export interface Sample {
  /** The phase the request was sent in. */
  readonly phase: string;
  /** The phase its answer (or failure) came in: a slow request may straddle a restart. */
  readonly answeredIn: string;
  readonly probe: string;
  /** The HTTP status, or what happened instead (`ECONNRESET`, `timeout`, …). */
  readonly outcome: string;
  readonly retryAfter: string | undefined;
  /** The start of the body of an answer >= 400, to explain it. */
  readonly detail?: string;
  /** When it was sent (`Date.now()`). */
  readonly at: number;
}

export class LightLoad {
  readonly samples: Sample[] = [];
  private phase = 'before';
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(probes: readonly Probe[]) {
    this.loops = probes.map((probe) => this.loop(probe));
  }

  /** Answers to requests sent from now on count under `phase`. */
  enter(phase: string): void {
    this.phase = phase;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  inPhase(phase: string): Sample[] {
    return this.samples.filter((sample) => sample.phase === phase);
  }

  /** The requests sent and answered within `phase`. */
  withinPhase(phase: string): Sample[] {
    return this.inPhase(phase).filter((sample) => sample.answeredIn === phase);
  }

  /** `probe → outcome → count` for one phase, to print and to quote. */
  counts(phase: string): Record<string, Record<string, number>> {
    const table: Record<string, Record<string, number>> = {};
    for (const sample of this.inPhase(phase)) {
      const row = (table[sample.probe] ??= {});
      row[sample.outcome] = (row[sample.outcome] ?? 0) + 1;
    }
    return table;
  }

  report(title: string, phases: readonly string[]): string {
    const lines = [`[faults] ${title}`];
    for (const phase of phases) {
      const samples = this.inPhase(phase);
      const total: Record<string, number> = {};
      for (const sample of samples) total[sample.outcome] = (total[sample.outcome] ?? 0) + 1;
      lines.push(`  ${phase}: ${samples.length} requests ${JSON.stringify(total)}`);
      for (const [probe, row] of Object.entries(this.counts(phase))) {
        lines.push(`    ${probe}: ${JSON.stringify(row)}`);
      }
    }
    // What a 503 means is known; anything else unusual is shown with its answer.
    for (const sample of this.samples) {
      if (
        /^[45]\d\d$/.test(sample.outcome) &&
        sample.outcome !== '503' &&
        !sample.probe.startsWith('readyz ')
      )
        lines.push(`  ${sample.phase} ${sample.probe} ${sample.outcome}: ${sample.detail ?? ''}`);
    }
    return lines.join('\n');
  }

  private async loop(probe: Probe): Promise<void> {
    while (this.running) {
      const phase = this.phase;
      const at = Date.now();
      let outcome: string;
      let retryAfter: string | undefined;
      let detail: string | undefined;
      try {
        const response = await probe.call();
        outcome = String(response.status);
        const header = response.headers['retry-after'];
        retryAfter = Array.isArray(header) ? header[0] : header;
        if (response.status >= 400) detail = response.text.slice(0, 300);
        probe.onAnswer?.(response);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        outcome = code ?? (error as Error).message;
      }
      this.samples.push({
        phase,
        answeredIn: this.phase,
        probe: probe.name,
        outcome,
        retryAfter,
        detail,
        at,
      });
      await sleep(probe.intervalMs);
    }
  }
}

/** One GET with a bearer token, on a connection of its own. */
export function getWithToken(url: string, token: () => string): () => Promise<EdgeResponse> {
  return () => send(url, { headers: { authorization: `Bearer ${token()}` } });
}

export { send };
