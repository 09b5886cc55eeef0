import { describe, expect, it } from 'vitest';
import type { FailoverRecordConfig, SteeringRule } from './config-types.js';
import { applyDelta } from './overlay.js';
import { reconfigureState } from './reconfigure.js';
import { recordStatus } from './status-view.js';
import { batch, config, failoverRecord, httpCheck, result } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

const ID = 'app.example.test./A';
const US = ['192.0.2.10'];
const EU = ['198.51.100.10'];
// Regions: us-east, eu-west, ap-south; each check's quorum is 2/3 of the fresh regions.
const EUROPE: SteeringRule = {
  match: { countries: [], continents: ['EU'] },
  order: ['secondary', 'primary'],
  healthFrom: ['eu-west'],
};
const AMERICA: SteeringRule = {
  match: { countries: ['US', 'CA'], continents: [] },
  order: ['primary', 'secondary'],
  healthFrom: null,
};

function steered(rules: SteeringRule[] = [EUROPE, AMERICA], over: Partial<FailoverRecordConfig> = {}) {
  return failoverRecord({ steering: { rules }, ...over });
}

function harness(rec = steered()): Harness {
  const h = new Harness(config({ records: [rec] }));
  h.rounds(2, { primary: '+++', secondary: '+++' });
  return h;
}

const ruleValues = (h: Harness) => h.engine.overlay.steered?.[ID];

describe('steering by client location: rules (issue 14 part 3)', () => {
  it('serves each rule the first eligible answer of its order; the record keeps its own decision', () => {
    const h = harness();
    expect(h.values()).toEqual(US);
    expect(ruleValues(h)).toEqual([EU, US]);
    expect(h.engine.state.records[ID]!.steered).toEqual([
      { answer: 'secondary', values: EU },
      { answer: 'primary', values: US },
    ]);
    // The first evaluation published the rules' values: a delta that lists the record with its rules.
    const delta = h.outputs.map((o) => o.delta).find((d) => d?.steered)!;
    expect(delta.records[ID]).toEqual(US);
    expect(delta.steered).toEqual({ [ID]: [EU, US] });
  });

  it('judges healthFrom on those regions only: one region seeing the answer down moves its rule alone', () => {
    const h = harness();
    const serial = h.engine.serial;
    // Only eu-west sees secondary down: globally 1 of 3 (2/3 needed), so the check stays up.
    h.rounds(3, { primary: '+++', secondary: '+-+' });
    expect(h.engine.state.checks.secondary!.verdict).toBe('up');
    expect(h.values()).toEqual(US);
    expect(ruleValues(h)).toEqual([US, US]);
    const [ev] = h.ofType('steering-changed');
    expect(ev).toMatchObject({ record: ID, from: 'secondary', to: 'primary', severity: 'warning' });
    expect(ev!.evidence).toMatchObject({ kind: 'failover', rule: 0, healthFrom: ['eu-west'] });
    expect(ev!.serial).toBe(h.engine.serial);
    expect(h.engine.serial).toBeGreaterThan(serial);
    // A rule's change alone is no switch of the record: its timing is untouched.
    expect(h.ofType('answer-switched')).toHaveLength(0);
    expect(h.engine.state.records[ID]!.switchedSerial).toBeNull();
    // eu-west sees it healthy again: the rule moves back at once (no failback hold of its own).
    h.rounds(2, { primary: '+++', secondary: '+++' });
    expect(ruleValues(h)).toEqual([EU, US]);
    expect(h.ofType('steering-changed').at(-1)!.evidence.kind).toBe('failback');
  });

  it('without healthFrom a rule follows the global verdict', () => {
    const h = harness();
    // Down from two of three regions: down globally, so the rule ordering primary first moves too.
    h.rounds(3, { primary: '--+', secondary: '+++' });
    expect(h.engine.state.checks.primary!.verdict).toBe('down');
    expect(h.values()).toEqual(EU);
    expect(ruleValues(h)).toEqual([EU, EU]);
    expect(h.ofType('steering-changed').map((e) => e.evidence.rule)).toEqual([1]);
  });

  it('falls back to the global verdict when the healthFrom regions go stale', () => {
    const h = harness();
    h.rounds(3, { primary: '+++', secondary: '+-+' });
    expect(ruleValues(h)![0]).toEqual(US);
    // eu-west stops reporting: once its vote is stale (3 intervals), the rule has no voter of its own and
    // takes the global verdict (up), with no other result arriving for that check from it.
    h.rounds(5, { primary: '+.+', secondary: '+.+' });
    expect(h.engine.state.checks.secondary!.verdict).toBe('up');
    expect(ruleValues(h)![0]).toEqual(EU);
  });

  it("re-judges a rule at once when a region's vote stops counting (probe-error), with no verdict change", () => {
    const h = harness();
    h.rounds(3, { primary: '+++', secondary: '+-+' });
    expect(ruleValues(h)![0]).toEqual(US);
    const r = result('secondary', 'eu-west', false, h.now, { reason: 'probe-error', message: 'EMFILE' });
    h.engine.ingest(batch('eu-west', [r]), h.now);
    expect(ruleValues(h)![0]).toEqual(EU);
  });

  it('with no eligible answer in its order a rule serves the record values (whenAllDown included)', () => {
    const only: SteeringRule = { ...EUROPE, order: ['secondary'] };
    const h = harness(steered([only], { whenAllDown: { mode: 'none' } }));
    h.rounds(3, { primary: '+++', secondary: '---' });
    expect(ruleValues(h)).toEqual([US]);
    expect(h.engine.state.records[ID]!.steered).toEqual([{ answer: null, values: US }]);
    expect(h.ofType('steering-changed')[0]).toMatchObject({ from: 'secondary', to: 'default' });
    h.rounds(3, { primary: '---', secondary: '---' });
    expect(h.values()).toEqual([]);
    expect(ruleValues(h)).toEqual([[]]);
    // Following the record's own values is reported by the record's event, not once more per rule.
    expect(h.ofType('steering-changed')).toHaveLength(1);
  });

  it('honours overrides in every rule', () => {
    const h = harness();
    h.engine.setOverride(ID, 'secondary', 'down', { name: 'op', reason: 'test' }, h.now);
    expect(ruleValues(h)).toEqual([US, US]);
  });

  it('judges per-address answers by minHealthy over the regional view, serving their healthy addresses', () => {
    const A = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
    const rec = steered([EUROPE], {
      answers: [
        { name: 'primary', values: US, check: 'primary' },
        {
          name: 'secondary',
          values: A,
          check: null,
          minHealthy: 2,
          addresses: A.map((value) => ({ value, weight: 1, check: `web@${value}` })),
        },
      ],
    });
    const checks = [httpCheck('primary'), ...A.map((v) => httpCheck(`web@${v}`))];
    const h = new Harness(config({ checks, records: [rec] }));
    const all = (p: string[]) => ({
      primary: '+++',
      ...Object.fromEntries(A.map((v, i) => [`web@${v}`, p[i]!])),
    });
    h.rounds(2, all(['+++', '+++', '+++']));
    expect(ruleValues(h)).toEqual([A]);
    // eu-west alone sees the first address down: the rule serves the other two (2 ≥ minHealthy).
    h.rounds(3, all(['+-+', '+++', '+++']));
    expect(ruleValues(h)).toEqual([A.slice(1)]);
    expect(h.ofType('steering-changed')[0]!.evidence.kind).toBe('addresses');
    // And a second one: below minHealthy in that view, so the rule moves to primary.
    h.rounds(3, all(['+-+', '+-+', '+++']));
    expect(ruleValues(h)).toEqual([US]);
    expect(h.values()).toEqual(US);
  });

  it('freezes the rules while the mass-failure guard holds, and judges them again at its release', () => {
    const names = ['primary', 'secondary', 'c3', 'c4'];
    const h = new Harness(config({ checks: names.map((n) => httpCheck(n)), records: [steered()] }));
    const reports = (p: string) => Object.fromEntries(names.map((n) => [n, p]));
    h.rounds(2, reports('+++'));
    // Every check down from every region at once: the guard holds, the rule keeps its answer.
    h.rounds(3, reports('---'));
    expect(h.engine.state.guard.holding).toBe(true);
    expect(ruleValues(h)).toEqual([EU, US]);
    h.engine.releaseGuard({ name: 'op', reason: 'test' }, h.now);
    expect(h.engine.state.guard.holding).toBe(false);
    expect(ruleValues(h)![0]).not.toEqual(EU);
  });

  it('keeps per-rule values through a restart, and shows them in the record status', () => {
    const h = harness();
    h.rounds(3, { primary: '+++', secondary: '+-+' });
    const again = new Harness(h.config, { state: h.engine.snapshot(), now: h.now });
    expect(again.engine.overlay.steered).toEqual({ [ID]: [US, US] });
    const rec = h.config.zones[0]!.failover[0]!;
    expect(recordStatus(rec, h.engine.state).steered).toEqual([
      { match: ['EU'], answer: 'primary', values: US },
      { match: ['US', 'CA'], answer: 'primary', values: US },
    ]);
  });

  it('a reload that changes the rules judges them anew, without an event; unsteering drops them', () => {
    const h = harness();
    h.rounds(3, { primary: '+++', secondary: '+-+' });
    const after = config({ records: [steered([AMERICA])] });
    const { state } = reconfigureState(h.config, after, h.engine.snapshot());
    expect(state.records[ID]!.steered).toBeUndefined();
    const again = new Harness(after, { state, now: h.now });
    again.tick();
    expect(again.engine.overlay.steered).toEqual({ [ID]: [US] });
    expect(again.ofType('steering-changed')).toEqual([]);
    const plain = reconfigureState(after, config(), again.engine.snapshot()).state;
    expect(plain.records[ID]!.steered).toBeUndefined();
    expect(new Harness(config(), { state: plain, now: h.now }).engine.overlay.steered).toBeUndefined();
  });

  it('a delta with steered values applies onto the overlay, and a delta listing the record replaces them', () => {
    const h = harness();
    const before = structuredClone(h.engine.overlay);
    h.rounds(3, { primary: '+++', secondary: '+-+' });
    const delta = h.outputs
      .map((o) => o.delta)
      .filter((d) => d !== null)
      .at(-1)!;
    expect(delta.base).toBe(before.serial);
    expect(applyDelta(before, delta)).toEqual(h.engine.overlay);
    const unsteered = applyDelta(h.engine.overlay, {
      base: h.engine.serial,
      serial: h.engine.serial + 1,
      epoch: 1,
      generatedAt: 0,
      records: { [ID]: US },
    });
    expect(unsteered?.steered).toBeUndefined();
  });
});
