import { describe, expect, it } from 'vitest';
import { DueIndex, nextDue } from './due-index.js';
import type { FailoverRecordConfig } from './config-types.js';
import type { RecordState } from './state-types.js';

describe('DueIndex', () => {
  it('pops what is due, in time order, once; a reschedule replaces the earlier time', () => {
    const d = new DueIndex();
    d.schedule('c', 30);
    d.schedule('a', 10);
    d.schedule('b', 20);
    d.schedule('a', 25); // moved later
    d.schedule('a', 25); // unchanged
    expect(d.popDue(5)).toEqual([]);
    expect(d.popDue(20)).toEqual(['b']);
    expect(d.popDue(30)).toEqual(['a', 'c']);
    expect(d.popDue(100)).toEqual([]);
    expect(d.size).toBe(0);
  });

  it('forgets a cleared id and keeps its size bounded under many reschedules', () => {
    const d = new DueIndex();
    d.schedule('x', 5);
    d.schedule('x', null);
    expect(d.popDue(10)).toEqual([]);
    for (let i = 0; i < 5_000; i++) d.schedule(`r${i % 10}`, 1_000 + i);
    expect(d.size).toBe(10);
    expect(d.popDue(10_000).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
  });
});

describe('nextDue', () => {
  const rec = {
    failbackAfter: 60_000,
    flapDamping: { window: 300_000, maxFlips: 3 },
    answers: [{ name: 'primary' }, { name: 'secondary' }],
  } as unknown as FailoverRecordConfig;
  const st = (over: Partial<RecordState>): RecordState =>
    ({
      active: { kind: 'answer', name: 'secondary' },
      healthySince: {},
      pendingFailback: null,
      flips: [],
      ...over,
    }) as RecordState;

  it('is the end of a better tier’s failback hold, or of a flip’s damping window, whichever is first', () => {
    expect(nextDue(rec, st({ healthySince: { primary: 1_000, secondary: 0 } }), 2_000)).toBe(61_000);
    expect(nextDue(rec, st({ healthySince: { primary: 1_000 }, flips: [0] }), 2_000)).toBe(61_000);
    expect(nextDue(rec, st({ flips: [0, 10_000] }), 2_000)).toBe(300_000);
    expect(nextDue(rec, st({ pendingFailback: { to: 'primary', dueAt: 5_000 } }), 2_000)).toBe(5_000);
  });

  it('is null with nothing ahead: the served tier is the best, holds are over, or failback is manual', () => {
    expect(
      nextDue(
        rec,
        st({ active: { kind: 'answer', name: 'primary' }, healthySince: { primary: 1_000 } }),
        2_000,
      ),
    ).toBeNull();
    expect(nextDue(rec, st({ healthySince: { primary: 1_000 } }), 70_000)).toBeNull();
    expect(
      nextDue(
        { ...rec, failbackAfter: 'manual', flapDamping: null },
        st({ healthySince: { primary: 1 } }),
        2,
      ),
    ).toBeNull();
    expect(nextDue(rec, st({ active: { kind: 'none' }, healthySince: { secondary: 1_000 } }), 2_000)).toBe(
      61_000,
    );
  });
});
