import { describe, expect, it } from 'vitest';
import type { OverlayDelta } from './overlay.js';
import {
  copyOverlay,
  deltasAfter,
  mergeDeltas,
  overlayUpdateProblem,
  updateEpoch,
} from './overlay-journal.js';

const d = (base: number, serial: number, records: Record<string, string[]> = {}): OverlayDelta => ({
  base,
  serial,
  epoch: 1,
  generatedAt: serial,
  records,
});

describe('deltasAfter', () => {
  const journal = [d(10, 11), d(11, 12), d(12, 13)];
  it('returns the chain from a serial to the stored one', () => {
    expect(deltasAfter(journal, 10, 13)!.map((x) => x.serial)).toEqual([11, 12, 13]);
    expect(deltasAfter(journal, 12, 13)!.map((x) => x.serial)).toEqual([13]);
    expect(deltasAfter(journal, 13, 13)).toEqual([]);
  });
  it('is null when the journal does not reach back, is ahead, or its chain is broken', () => {
    expect(deltasAfter(journal, 9, 13)).toBeNull();
    expect(deltasAfter(journal, 14, 13)).toBeNull();
    expect(deltasAfter([d(10, 11), d(12, 13)], 10, 13)).toBeNull();
    expect(deltasAfter(journal, 10, 14)).toBeNull();
  });
});

describe('mergeDeltas and copyOverlay', () => {
  it('folds two consecutive deltas, the later values winning', () => {
    const m = mergeDeltas(d(1, 2, { a: ['x'], b: ['y'] }), { ...d(2, 3, { a: ['z'] }), epoch: 2 });
    expect(m).toEqual({ base: 1, serial: 3, epoch: 2, generatedAt: 3, records: { a: ['z'], b: ['y'] } });
  });
  it('copies the records map', () => {
    const o = { serial: 1, epoch: 1, generatedAt: 1, records: { a: ['x'] } };
    const c = copyOverlay(o);
    c.records.b = ['y'];
    expect(o.records).toEqual({ a: ['x'] });
    expect(updateEpoch({ kind: 'full', overlay: c })).toBe(1);
    expect(updateEpoch({ kind: 'delta', delta: d(1, 2) })).toBe(1);
  });
});

describe('overlayUpdateProblem', () => {
  it('accepts well-formed updates and names what is wrong otherwise', () => {
    expect(overlayUpdateProblem({ kind: 'delta', delta: d(1, 2, { a: ['x'] }) })).toBeNull();
    expect(
      overlayUpdateProblem({ kind: 'full', overlay: { serial: 1, epoch: 1, generatedAt: 1, records: {} } }),
    ).toBeNull();
    expect(overlayUpdateProblem(null)).toBe('not an object');
    expect(overlayUpdateProblem({ kind: 'other' })).toMatch(/kind must be/);
    expect(overlayUpdateProblem({ kind: 'delta', delta: { ...d(1, 2), base: -1 } })).toBe(
      'base is not a non-negative integer',
    );
    expect(overlayUpdateProblem({ kind: 'delta', delta: { ...d(1, 2), records: [] } })).toBe(
      'records is not an object',
    );
    expect(overlayUpdateProblem({ kind: 'delta', delta: { ...d(1, 2), records: { a: [1] } } })).toBe(
      'records["a"] is not a list of strings',
    );
  });
});
