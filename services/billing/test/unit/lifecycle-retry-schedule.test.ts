import { afterEach, describe, expect, it, vi } from 'vitest';
import { lifecycleBackoffMs, lifecycleMaxAttempts } from '../../src/events/retry-schedule.js';

/** The waits between the attempts of one event, with Math.random pinned to `random`. */
function totalWaitMs(random: number): number {
  vi.spyOn(Math, 'random').mockReturnValue(random);
  let total = 0;
  for (let attempt = 1; attempt < lifecycleMaxAttempts; attempt += 1) total += lifecycleBackoffMs(attempt);
  return total;
}

describe('user-lifecycle retry schedule', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('when every attempt fails, then even the shortest jitter keeps the event for at least two minutes before the DLQ', () => {
    expect(totalWaitMs(0)).toBeGreaterThanOrEqual(120_000);
  });

  it('when every attempt fails, then the longest jitter gives up within five minutes', () => {
    expect(totalWaitMs(0.999)).toBeLessThanOrEqual(300_000);
  });

  it('when an attempt fails, then the next wait is jittered within the upper half of its window', () => {
    const waits = new Set(Array.from({ length: 50 }, () => lifecycleBackoffMs(3)));

    expect(waits.size).toBeGreaterThan(1);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(4_000);
      expect(wait).toBeLessThanOrEqual(8_000);
    }
  });
});
