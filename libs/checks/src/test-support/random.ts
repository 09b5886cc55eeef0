/** Cycles through the given values; each is in [0, 1). */
export function seqRandom(values: number[]): { next(): number } {
  let i = 0;
  return { next: () => values[i++ % values.length]! };
}
