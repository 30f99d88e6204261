import type { BurstFigures, SteadyFigures } from './event-pipeline.js';

/** One line per target: whether it is met, the figure and the target. */
export function verdict(label: string, value: string, target: string, met: boolean): string {
  return `${met ? 'met ' : 'MISS'}  ${label}: ${value} (target ${target})`;
}

/** The event pipeline's targets, the same in `npm run bench` and `npm run bench:events`. */
export function eventPipelineVerdicts(burst: BurstFigures, steady: SteadyFigures): string[] {
  const lost = burst.lost + steady.lost;
  return [
    verdict(
      'event pipeline end to end',
      `${burst.endToEndPerSecond.toFixed(0)} events/s`,
      '≥ 1000/s',
      burst.endToEndPerSecond >= 1000,
    ),
    verdict('events lost', String(lost), '0', lost === 0),
    verdict('events applied twice', String(burst.appliedTwice), '0', burst.appliedTwice === 0),
  ];
}
