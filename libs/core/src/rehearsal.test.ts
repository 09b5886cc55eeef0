/**
 * Issue 11: a rehearsed failover runs the switch path (failover, then failback) for a sample of records on
 * copies of their state, and changes nothing of the engine's: not its state, its events, its overlay.
 */
import { describe, expect, it } from 'vitest';
import { config, failoverRecord } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';
import { rehearsalDelay } from './rehearsal.js';

const records = ['a', 'b', 'c', 'd'].map((n) =>
  failoverRecord({ id: `${n}.example.test./A`, name: `${n}.example.test.` }),
);

describe('DecisionEngine.rehearse', () => {
  it('fails over and back a sample of the records serving their primary, and changes nothing', () => {
    const h = new Harness(config({ records }));
    h.rounds(2, { primary: '+++', secondary: '+++' });
    const before = JSON.stringify({ st: h.engine.state, overlay: h.engine.overlay });
    const own = h.engine.state.records[records[0]!.id];
    h.engine.takePatch();
    expect(h.engine.rehearse(h.now, 3)).toEqual({ records: 3, switches: 6 });
    expect(JSON.stringify({ st: h.engine.state, overlay: h.engine.overlay })).toBe(before);
    // The same objects, put back (the rehearsal runs on them, so V8 optimizes for their shapes).
    expect(h.engine.state.records[records[0]!.id]).toBe(own);
    // Nothing was marked for the next save either.
    const next = h.engine.takePatch();
    expect(next.records).toEqual({});
    expect(next.checks).toEqual({});
    // The next real decision is numbered as if no rehearsal had run.
    const seq = h.engine.state.eventSeq;
    h.rounds(2, { primary: '---', secondary: '+++' });
    expect(h.ofType('answer-switched').map((e) => e.seq)[0]).toBeGreaterThan(seq);
    expect(h.ofType('answer-switched')).toHaveLength(4);
  });

  it('puts back a state with history: flips, healthySince, a previous failback', () => {
    const h = new Harness(config({ records }));
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '---', secondary: '+++' });
    h.rounds(70, { primary: '+++', secondary: '+++' });
    expect(h.active(records[0]!.id)).toBe('primary');
    expect(h.engine.state.records[records[0]!.id]!.flips.length).toBeGreaterThan(0);
    const before = JSON.stringify(h.engine.state);
    expect(h.engine.rehearse(h.now).records).toBe(4);
    expect(JSON.stringify(h.engine.state)).toBe(before);
  });

  it('leaves out records that do not serve their primary, or whose primary is not up', () => {
    const h = new Harness(config({ records }));
    h.rounds(2, { primary: '---', secondary: '+++' });
    expect(h.engine.rehearse(h.now)).toEqual({ records: 0, switches: 0 });
  });

  it('is scheduled after start-up, then a second apart until four had records, then every period', () => {
    expect(rehearsalDelay(true, 0, 5_000, 60_000)).toBe(5_000);
    expect([0, 1, 2, 3, 4, 9].map((done) => rehearsalDelay(false, done, 5_000, 60_000))).toEqual([
      1_000, 1_000, 1_000, 1_000, 60_000, 60_000,
    ]);
    // No gap longer than the period (a test's short one).
    expect(rehearsalDelay(true, 0, 5_000, 50)).toBe(50);
    expect(rehearsalDelay(false, 0, 5_000, 50)).toBe(50);
  });
});
