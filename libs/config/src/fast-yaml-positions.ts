/** Offsets of what the fast YAML reader read, and the lookup from a config path to a line and column. */
import type { Path } from './problems.js';

export interface Position {
  line: number;
  column: number;
}

/**
 * The offsets of a container, beside the data rather than in a Map keyed by it (which cost as much as the
 * reading itself): for a map `[key, keyStart, valueStart, valueShadow, ...]` (valueStart -1 for a null
 * value, which points at its key as the `yaml` library does), for a list `[itemStart, itemShadow, ...]`.
 * A scalar's shadow is undefined.
 */
export type Shadow = (string | number | Shadow | undefined)[];

/**
 * A value's shadow as the reader keeps it: a one-line flow collection (`{ name: a, values: [...] }`) is
 * kept as its start offset only, and read again for its shadow when a problem points into it (issue 11:
 * most of a large config is such lines, and their shadows cost more heap than the data).
 */
export type KeptShadow = Shadow | number | undefined;

/** The offset a problem at `path` points at: the deepest part of the path that exists. */
export function locateIn(
  root: KeptShadow,
  topStart: number,
  path: Path,
  atKey: boolean,
  flowShadow: (start: number) => Shadow,
): number {
  let kept: KeptShadow = root;
  let best = topStart;
  for (const [i, seg] of path.entries()) {
    if (kept === undefined) break;
    const shadow: Shadow = typeof kept === 'number' ? flowShadow(kept) : kept;
    const isList = typeof shadow[0] === 'number';
    if (isList) {
      if (typeof seg !== 'number' || seg * 2 >= shadow.length) break;
      best = shadow[seg * 2] as number;
      kept = shadow[seg * 2 + 1] as KeptShadow;
    } else {
      const key = String(seg);
      let k = 0;
      while (k < shadow.length && shadow[k] !== key) k += 4;
      if (k >= shadow.length) break;
      const keyStart = shadow[k + 1] as number;
      const valueStart = shadow[k + 2] as number;
      best = i === path.length - 1 && atKey ? keyStart : valueStart >= 0 ? valueStart : keyStart;
      kept = shadow[k + 3] as KeptShadow;
    }
  }
  return best;
}

/** 1-based line and column, as the `yaml` library's LineCounter gives them. */
export function lineCol(lineStarts: readonly number[], offset: number): Position {
  let low = 0;
  let high = lineStarts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (offset < lineStarts[mid]!) high = mid;
    else low = mid + 1;
  }
  return { line: low, column: offset - lineStarts[low - 1]! + 1 };
}
