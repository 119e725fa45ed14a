/** Small statistics for the bench: percentiles of one run, and median/min/max over rounds. */

/** The `p`-th percentile (0–100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Median, min and max of one figure's rounds. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  rounds: number[];
}

export function summarize(rounds: readonly number[]): Summary {
  return { median: percentile(rounds, 50), min: Math.min(...rounds), max: Math.max(...rounds), rounds: [...rounds] };
}
