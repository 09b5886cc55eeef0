import { describe, expect, it } from 'vitest';
import { applyDeciderPatch, fullPatch } from './decider-patch.js';
import type { DecisionEngine } from './engine.js';
import type { DeciderState } from './state-types.js';
import { config, failoverRecord, httpCheck } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

const actor = { name: 'ops', reason: 'test' };

/** Applies every patch as a store would, and checks after each step that it rebuilds the engine's state. */
class Saver {
  stored: DeciderState | null = null;
  sizes: { checks: number; records: number; full: boolean }[] = [];
  constructor(private readonly engine: DecisionEngine) {}
  save(): void {
    const p = this.engine.takePatch();
    this.sizes.push({
      checks: Object.keys(p.checks).length,
      records: Object.keys(p.records).length,
      full: p.full,
    });
    this.stored = applyDeciderPatch(this.stored, JSON.parse(JSON.stringify(p)) as typeof p);
    expect(this.stored).toEqual(this.engine.snapshot());
  }
}

describe('DecisionEngine.takePatch', () => {
  it('a chain of patches rebuilds the state through failover, failback, overrides, staleness and the guard', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const records = ids.map((id) =>
      failoverRecord({
        id: `${id}.example.test./A`,
        name: `${id}.example.test.`,
        failbackAfter: 3_000,
        answers: [
          { name: 'primary', values: ['192.0.2.1'], check: id },
          { name: 'secondary', values: ['198.51.100.1'], check: null },
        ],
      }),
    );
    const h = new Harness(config({ checks: ids.map((id) => httpCheck(id)), records }));
    const s = new Saver(h.engine);
    s.save();
    const step = (reports: Record<string, string>, n = 1) => {
      for (let i = 0; i < n; i++) {
        h.rounds(1, reports);
        s.save();
      }
    };
    step({ a: '+++', b: '+++', c: '+++', d: '+++' }, 3);
    step({ a: '---', b: '+++', c: '+++', d: '+++' }, 3); // a fails over
    step({ a: '+++', b: '+++', c: '+++', d: '+++' }, 5); // and fails back after its hold
    step({ a: '---', b: '---', c: '---', d: '+++' }, 3); // a mass failure: the guard holds
    h.engine.releaseGuard(actor, h.now);
    s.save();
    h.engine.setOverride('d.example.test./A', 'primary', 'down', actor, h.now);
    s.save();
    step({ a: '++.', b: '++.', c: '++.', d: '++.' }, 8); // a region goes stale
    h.engine.markPublished('dns', h.engine.serial, h.now);
    s.save();
    step({ a: '+++', b: '+++', c: '+++', d: '+++' }, 3);
    expect(s.sizes[0]!.full).toBe(true);
    expect(s.sizes.slice(1).every((x) => !x.full)).toBe(true);
  });

  it('one result changes one check and only the records it re-evaluates', () => {
    const h = new Harness(config());
    h.rounds(3, { primary: '+++', secondary: '+++' });
    h.engine.takePatch();
    h.report('secondary', '+..');
    const p = h.engine.takePatch();
    expect(Object.keys(p.checks)).toEqual(['secondary']);
    expect(Object.keys(p.records)).toEqual([]);
    expect(p.top.eventSeq).toBe(h.engine.state.eventSeq);
    h.engine.markFullPatch();
    expect(h.engine.takePatch().full).toBe(true);
    expect(fullPatch(h.engine.snapshot())).toMatchObject({ full: true, checks: h.engine.snapshot().checks });
  });
});
