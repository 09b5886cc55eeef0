/**
 * Issue 11: a check taking many records over computes its evidence once per decision, and every record's
 * event shares it (frozen): 1,100 records once meant 1,100 verdict computations and 1,100 copies.
 */
import { describe, expect, it } from 'vitest';
import type { CheckEvidence } from './events.js';
import { config, failoverRecord } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

const records = ['a', 'b', 'c'].map((n) =>
  failoverRecord({ id: `${n}.example.test./A`, name: `${n}.example.test.` }),
);

const checksOf = (e: { evidence?: unknown }) => (e.evidence as { checks: CheckEvidence[] }).checks;

describe('record events of one decision', () => {
  it('share one frozen evidence object per check, with the verdict that moved them', () => {
    const h = new Harness(config({ records }));
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '---', secondary: '+++' });
    const switched = h.ofType('answer-switched');
    expect(switched.map((e) => e.record).sort()).toEqual(records.map((r) => r.id).sort());
    const [first, ...others] = switched.map(checksOf);
    const primary = first!.find((c) => c.check === 'primary')!;
    expect(primary).toMatchObject({ check: 'primary', verdict: 'down', voters: 3 });
    expect(primary.downVotes).toBeGreaterThanOrEqual(2);
    expect(Object.isFrozen(primary)).toBe(true);
    expect(Object.isFrozen(primary.votes)).toBe(true);
    for (const checks of others) {
      expect(checks.find((c) => c.check === 'primary')).toBe(primary);
      expect(checks.find((c) => c.check === 'secondary')).toBe(first!.find((c) => c.check === 'secondary'));
    }
  });

  it('do not share evidence across decisions: a later one shows the later verdict', () => {
    const h = new Harness(config({ records }));
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '---', secondary: '+++' });
    const down = checksOf(h.ofType('answer-switched')[0]!).find((c) => c.check === 'primary')!;
    // failbackAfter is 60 s: a minute and more of healthy rounds brings every record back.
    h.rounds(70, { primary: '+++', secondary: '+++' });
    const back = h.ofType('answer-switched').filter((e) => e.to === 'primary');
    expect(back).toHaveLength(3);
    const up = checksOf(back[0]!).find((c) => c.check === 'primary')!;
    expect(up).not.toBe(down);
    expect(up.verdict).toBe('up');
    expect(down.verdict).toBe('down');
  });
});
