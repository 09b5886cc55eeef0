/** Splitting changes into provider batches under one or more size limits. */

export interface BatchLimit<T> {
  /** The most a batch may weigh under this limit. */
  max: number;
  weight(item: T): number;
}

/**
 * Greedy, order-preserving: items go into the current batch until one limit would be exceeded. An item
 * heavier than a limit on its own gets a batch to itself (the provider then reports the error).
 */
export function batchChanges<T>(items: readonly T[], limits: readonly BatchLimit<T>[]): T[][] {
  const batches: T[][] = [];
  let cur: T[] = [];
  let used = limits.map(() => 0);
  for (const item of items) {
    const w = limits.map((l) => l.weight(item));
    const fits = limits.every((l, i) => used[i]! + w[i]! <= l.max);
    if (!fits && cur.length > 0) {
      batches.push(cur);
      cur = [];
      used = limits.map(() => 0);
    }
    cur.push(item);
    used = used.map((u, i) => u + w[i]!);
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}
