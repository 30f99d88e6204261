import { describe, expect, it } from 'vitest';
import { median, ratioByRound } from '../../rounds.js';

describe('median', () => {
  it('is the middle value of an odd count, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
  });

  it('is the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('ratioByRound', () => {
  it('takes each ratio within its round, never across rounds the machine ran at other speeds', () => {
    // The machine's speed moves between rounds. The ratio of the medians (1800 / 2000) would divide
    // the third round's kit by the third round's bare only by chance.
    const rounds = [
      { bare: 4000, kit: 2000 },
      { bare: 1000, kit: 500 },
      { bare: 2000, kit: 1800 },
    ];
    const share = ratioByRound(rounds, (r) => r.kit / r.bare);
    expect(share.rounds).toEqual([0.5, 0.5, 0.9]);
    expect(share.median).toBe(0.5);
  });

  it('reports the median round, so one disturbed round does not decide the figure', () => {
    const share = ratioByRound(
      [
        { bare: 4000, kit: 2000 },
        { bare: 4000, kit: 800 },
        { bare: 4000, kit: 2100 },
      ],
      (r) => r.kit / r.bare,
    );
    expect(share.median).toBe(0.5);
    expect(share.rounds).toEqual([0.5, 0.2, 0.525]);
  });
});
