/** Small summary statistics for benchmark output. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(values: number[]): {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
} {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    mean,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    max: s.at(-1) ?? NaN,
    min: s[0] ?? NaN,
  };
}

export const fmt = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(ms < 10 ? 2 : 1) : 'n/a');
