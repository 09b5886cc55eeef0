import { describe, expect, it } from 'vitest';
import { DecisionEngine } from './engine.js';
import { probingChanged, reconfigureState, sameJson } from './reconfigure.js';
import { emptyState } from './state-init.js';
import { config, failoverRecord, httpCheck } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

const RECORD = 'app.example.test./A';

/** Primary down everywhere, the record failed over to secondary: verdicts and hysteresis worth keeping. */
function failedOver() {
  const h = new Harness(config());
  h.rounds(2, { primary: '+++', secondary: '+++' });
  h.rounds(2, { primary: '---', secondary: '+++' });
  expect(h.active()).toBe('secondary');
  return h;
}

describe('probingChanged', () => {
  it('ignores how results are judged (fall, rise, quorum, regions)', () => {
    const a = httpCheck('c');
    const b = httpCheck('c', {
      fall: 5,
      rise: 4,
      quorum: { kind: 'all' },
      regions: ['us-east'],
    });
    expect(probingChanged(a, b)).toBe(false);
  });

  it.each([
    ['path', { path: '/health' }],
    ['interval', { interval: 2000 }],
    ['timeout', { timeout: 900 }],
    ['type', { type: 'http' as const }],
    ['host', { host: '192.0.2.99' }],
    ['expectStatus', { expectStatus: [{ from: 200, to: 200 }] }],
  ])('counts a change of %s', (_field, over) => {
    expect(probingChanged(httpCheck('c'), httpCheck('c', over))).toBe(true);
  });

  it('compares nested values, not references', () => {
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
  });
});

describe('reconfigureState', () => {
  it('keeps the verdict and hysteresis of an unchanged check and of one only judged differently', () => {
    const h = failedOver();
    const before = h.engine.snapshot();
    const after = config({
      checks: [httpCheck('primary', { fall: 3, rise: 5 }), httpCheck('secondary')],
    });
    const { state, report } = reconfigureState(h.config, after, before);
    expect(report.checks).toMatchObject({ kept: ['secondary'], rejudged: ['primary'], reset: [] });
    expect(state.checks.primary).toEqual(before.checks.primary);
    expect(state.checks.primary!.verdict).toBe('down');
    expect(state.checks.secondary).toEqual(before.checks.secondary);
    expect(state.records[RECORD]!.active).toEqual({ kind: 'answer', name: 'secondary' });
  });

  it('resets a check to unknown when what it probes changed', () => {
    const h = failedOver();
    const after = config({ checks: [httpCheck('primary', { path: '/v2/health' }), httpCheck('secondary')] });
    const { state, report } = reconfigureState(h.config, after, h.engine.snapshot());
    expect(report.checks.reset).toEqual(['primary']);
    expect(state.checks.primary).toMatchObject({ verdict: 'unknown', regions: {} });
    expect(state.checks.secondary!.verdict).toBe('up');
  });

  it('drops the votes of regions that left a check, keeping the rest', () => {
    const h = failedOver();
    const after = config({
      checks: [httpCheck('primary', { regions: ['us-east', 'eu-west'] }), httpCheck('secondary')],
    });
    const { state } = reconfigureState(h.config, after, h.engine.snapshot());
    expect(Object.keys(state.checks.primary!.regions)).toEqual(['us-east', 'eu-west']);
    expect(state.checks.primary!.verdict).toBe('down');
  });

  it('starts new checks and records as at boot and drops removed ones', () => {
    const h = failedOver();
    const web = failoverRecord({
      id: 'web.example.test./A',
      name: 'web.example.test.',
      answers: [{ name: 'only', values: ['203.0.113.7'], check: 'extra' }],
    });
    const after = config({
      checks: [httpCheck('primary'), httpCheck('extra')],
      records: [
        failoverRecord({ answers: [{ name: 'primary', values: ['192.0.2.10'], check: 'primary' }] }),
        web,
      ],
    });
    const { state, report } = reconfigureState(h.config, after, h.engine.snapshot());
    expect(report.checks).toMatchObject({ added: ['extra'], removed: ['secondary'] });
    expect(report.records).toMatchObject({ added: [web.id], changed: [RECORD], removed: [] });
    expect(state.checks.extra!.verdict).toBe('unknown');
    expect(state.checks.secondary).toBeUndefined();
    expect(state.records[web.id]!.values).toEqual(['203.0.113.7']);
    // Its active answer (secondary) is gone: the record starts over on its primary.
    expect(state.records[RECORD]!.active).toEqual({ kind: 'answer', name: 'primary' });
  });

  it('keeps a changed record on its active answer, serving the new values', () => {
    const h = failedOver();
    const after = config({
      records: [
        failoverRecord({
          ttl: 120,
          answers: [
            { name: 'primary', values: ['192.0.2.10'], check: 'primary' },
            { name: 'secondary', values: ['198.51.100.99'], check: 'secondary' },
          ],
        }),
      ],
    });
    const before = h.engine.snapshot();
    const { state, report } = reconfigureState(h.config, after, before);
    expect(report.records.changed).toEqual([RECORD]);
    expect(state.records[RECORD]).toMatchObject({
      active: { kind: 'answer', name: 'secondary' },
      values: ['198.51.100.99'],
      switchedAt: before.records[RECORD]!.switchedAt,
      flips: before.records[RECORD]!.flips,
    });
  });

  it('does not modify the state it is given', () => {
    const h = failedOver();
    const before = h.engine.snapshot();
    const copy = structuredClone(before);
    reconfigureState(h.config, config({ checks: [httpCheck('primary', { port: 8443 })] }), before);
    expect(before).toEqual(copy);
  });

  it('feeds an engine that keeps deciding from the kept verdicts, with the serial moving on', () => {
    const h = failedOver();
    const after = config({ checks: [httpCheck('primary', { fall: 3 }), httpCheck('secondary')] });
    const { state } = reconfigureState(h.config, after, h.engine.snapshot());
    const next = new DecisionEngine({
      config: after,
      state,
      now: h.now,
      epoch: 1,
      minSerial: h.engine.serial,
    });
    expect(next.serial).toBeGreaterThan(h.engine.serial);
    expect(next.state.records[RECORD]!.active).toEqual({ kind: 'answer', name: 'secondary' });
    // The first pass re-evaluates every record: with primary still down, nothing moves.
    const out = next.tick(h.now + 1000);
    expect(out.delta).toBeNull();
    expect(next.state.checks.primary!.verdict).toBe('down');
  });

  it('drops a pending failback to an answer the record no longer has', () => {
    const h = failedOver();
    h.rounds(2, { primary: '+++', secondary: '+++' });
    const before = h.engine.snapshot();
    expect(before.records[RECORD]!.pendingFailback?.to).toBe('primary');
    const after = config({
      records: [
        failoverRecord({
          answers: [
            { name: 'main', values: ['192.0.2.10'], check: 'primary' },
            { name: 'secondary', values: ['198.51.100.10'], check: 'secondary' },
          ],
        }),
      ],
    });
    const { state } = reconfigureState(h.config, after, before);
    expect(state.records[RECORD]).toMatchObject({
      active: { kind: 'answer', name: 'secondary' },
      pendingFailback: null,
      failbackApproved: false,
    });
  });

  it('starts a record new to the config afresh, whatever a stale state held for its id', () => {
    const h = failedOver();
    const stale = h.engine.snapshot();
    const without = config({ records: [] });
    const { state } = reconfigureState(without, h.config, stale);
    expect(state.records[RECORD]!.active).toEqual({ kind: 'answer', name: 'primary' });
    expect(state.records[RECORD]!.flips).toEqual([]);
  });

  it('keeps a pending failback whose answer is still there, and copes with a record missing from the state', () => {
    const h = failedOver();
    h.rounds(2, { primary: '+++', secondary: '+++' });
    const after = config({ records: [failoverRecord({ ttl: 90 })] });
    const { state } = reconfigureState(h.config, after, h.engine.snapshot());
    expect(state.records[RECORD]!.pendingFailback?.to).toBe('primary');
    const { state: fresh } = reconfigureState(h.config, after, emptyState());
    expect(fresh.records[RECORD]!.active).toEqual({ kind: 'answer', name: 'primary' });
  });
});
