import { describe, expect, it } from 'vitest';
import type { RefusedWrite } from '@understudy/core';
import { RefusedWriteTracker } from './refused-writes.js';

const w = (id: string, storedEpoch: number): RefusedWrite => ({
  id,
  what: 'zone state',
  epoch: 3,
  storedEpoch,
  at: 1_000,
  serial: 42,
});

describe('RefusedWriteTracker', () => {
  it('raises each refusal fenced by its own epoch once', () => {
    const t = new RefusedWriteTracker(4);
    const first = t.newEvents([w('1', 4), w('2', 5), w('0', 2)]);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ type: 'write-refused', severity: 'critical', serial: 42 });
    expect(first[0]!.message).toContain('stale epoch 3');
    expect(t.newEvents([w('1', 4), w('3', 4)]).map((e) => (e.evidence.write as RefusedWrite).id)).toEqual([
      '3',
    ]);
  });

  it('forgets the oldest ids beyond its bound', () => {
    const t = new RefusedWriteTracker(1, 2);
    t.newEvents([w('a', 1), w('b', 1), w('c', 1)]);
    expect(t.newEvents([w('a', 1)])).toHaveLength(1);
    expect(t.newEvents([w('c', 1)])).toHaveLength(0);
  });
});
