import { describe, expect, it } from 'vitest';
import { DecisionEngine } from './engine.js';
import { reconcileState } from './state-init.js';
import { config, failoverRecord } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

function failedOverState() {
  const h = new Harness(config());
  h.rounds(2, { primary: '+++', secondary: '+++' });
  h.rounds(2, { primary: '---', secondary: '+++' });
  h.engine.setOverride('app.example.test./A', 'secondary', 'up', { name: 'ops', reason: 't' }, h.now);
  return h.engine.snapshot();
}

describe('reconcileState', () => {
  it('keeps state that fits the config', () => {
    const st = reconcileState(config(), failedOverState());
    expect(st.records['app.example.test./A']!.active).toEqual({ kind: 'answer', name: 'secondary' });
    expect(st.overrides['app.example.test./A']).toEqual({ secondary: 'up' });
    expect(Object.keys(st.checks.primary!.regions)).toEqual(['us-east', 'eu-west', 'ap-south']);
  });

  it('follows new values of the active answer and drops what left the config', () => {
    const rec = failoverRecord({
      answers: [
        { name: 'primary', values: ['192.0.2.10'], check: 'primary' },
        { name: 'secondary', values: ['198.51.100.77'], check: null },
      ],
    });
    const cfg = config({ records: [rec], regions: ['us-east', 'eu-west'] });
    cfg.checks = cfg.checks.map((c) => ({ ...c, regions: ['us-east', 'eu-west'] }));
    const st = reconcileState(cfg, failedOverState());
    expect(st.records['app.example.test./A']!.values).toEqual(['198.51.100.77']);
    expect(Object.keys(st.checks.primary!.regions)).toEqual(['us-east', 'eu-west']);
    expect(Object.keys(st.regions)).toEqual(['us-east', 'eu-west']);
  });

  it('resets a record whose active answer no longer exists, and drops overrides of removed answers', () => {
    const rec = failoverRecord({
      answers: [
        { name: 'primary', values: ['192.0.2.10'], check: 'primary' },
        { name: 'dr', values: ['203.0.113.1'], check: 'secondary' },
      ],
    });
    const st = reconcileState(config({ records: [rec] }), failedOverState());
    expect(st.records['app.example.test./A']!.active).toEqual({ kind: 'answer', name: 'primary' });
    expect(st.overrides['app.example.test./A']).toBeUndefined();
  });

  it.each([
    [{ mode: 'none' as const }, { kind: 'none' as const }, [] as string[]],
    [
      { mode: 'fallback' as const, name: 'sorry', values: ['203.0.113.5'] },
      { kind: 'fallback' as const, name: 'sorry' },
      ['203.0.113.5'],
    ],
  ])('keeps an all-down %o answer only while config still has it', (whenAllDown, active, values) => {
    const cfg = config({ records: [failoverRecord({ whenAllDown })] });
    const h = new Harness(cfg);
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '---', secondary: '---' });
    const snap = h.engine.snapshot();
    expect(reconcileState(cfg, snap).records['app.example.test./A']).toMatchObject({ active, values });
    const changed = reconcileState(config(), snap).records['app.example.test./A']!;
    expect(changed.active).toEqual({ kind: 'answer', name: 'primary' });
  });

  it('drops state of records and checks that left the config', () => {
    const snap = failedOverState();
    snap.records['gone.example.test./A'] = snap.records['app.example.test./A']!;
    snap.checks.gone = snap.checks.primary!;
    const st = reconcileState(config(), snap);
    expect(st.records['gone.example.test./A']).toBeUndefined();
    expect(st.checks.gone).toBeUndefined();
    expect(
      new DecisionEngine({ config: config(), state: snap, now: 2e12, epoch: 1 }).state.records[
        'gone.example.test./A'
      ],
    ).toBeUndefined();
  });
});

describe('reconcileState: overrides', () => {
  it('keeps an override of an answer that still exists when the record state is reset', () => {
    const snap = failedOverState();
    snap.overrides['app.example.test./A'] = { primary: 'down', secondary: 'up' };
    const rec = failoverRecord({
      answers: [
        { name: 'primary', values: ['192.0.2.10'], check: 'primary' },
        { name: 'dr', values: ['203.0.113.1'], check: 'secondary' },
      ],
    });
    const st = reconcileState(config({ records: [rec] }), snap);
    expect(st.records['app.example.test./A']!.active).toEqual({ kind: 'answer', name: 'primary' });
    expect(st.overrides['app.example.test./A']).toEqual({ primary: 'down' });
  });
});
