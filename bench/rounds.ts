/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * A ratio taken within each round of cases measured seconds apart, and the median round's: the
 * machine's own speed moves by several percent within a minute, so a ratio of cases measured a
 * minute apart says as much about the machine as about what is measured. Each round's ratio is
 * kept, so the spread is printed next to the figure.
 */
export function ratioByRound<T>(
  rounds: readonly T[],
  ratioOf: (round: T) => number,
): { median: number; rounds: number[] } {
  const ratios = rounds.map(ratioOf);
  return { median: median(ratios), rounds: ratios };
}
