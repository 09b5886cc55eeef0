import { describe, expect, it } from 'vitest';
import { CompositeGraph, compositeVerdict, findCompositeCycle } from './composite.js';
import type { CompositeCheckConfig } from './config-types.js';
import type { Health } from './state-types.js';
import { config, failoverRecord, httpCheck } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

function composite(id: string, children: string[], atLeast = 1, invert = false): CompositeCheckConfig {
  return { id, type: 'composite', children, atLeast, invert };
}

const verdicts =
  (v: Record<string, Health>) =>
  (id: string): Health =>
    v[id] ?? 'unknown';

describe('compositeVerdict: at least N of the children up, three-valued', () => {
  const c = composite('c', ['a', 'b', 'x'], 2);
  it.each([
    [{ a: 'up', b: 'up', x: 'down' }, 'up'],
    [{ a: 'up', b: 'down', x: 'down' }, 'down'],
    // 2 up is proven whatever x turns out to be.
    [{ a: 'up', b: 'up' }, 'up'],
    // Even if x came up there would be only 1 up: down is proven.
    [{ a: 'down', b: 'down' }, 'down'],
    // 1 up, x unknown: x decides, so nothing is proven yet.
    [{ a: 'up', b: 'down' }, 'unknown'],
    [{}, 'unknown'],
  ] as [Record<string, Health>, Health][])('%o → %s', (v, want) => {
    expect(compositeVerdict(c, verdicts(v)).candidate).toBe(want);
  });

  it('invert swaps up and down and keeps unknown', () => {
    const inv = composite('n', ['a'], 1, true);
    expect(compositeVerdict(inv, verdicts({ a: 'up' })).candidate).toBe('down');
    expect(compositeVerdict(inv, verdicts({ a: 'down' })).candidate).toBe('up');
    expect(compositeVerdict(inv, verdicts({})).candidate).toBe('unknown');
  });

  it('counts up, down and unknown children for the evidence', () => {
    expect(compositeVerdict(c, verdicts({ a: 'up', b: 'down' }))).toEqual({
      candidate: 'unknown',
      up: 1,
      down: 1,
      unknown: 1,
    });
  });
});

describe('composite graph', () => {
  it('finds a cycle through composites and names its path', () => {
    const checks = [
      composite('a', ['b']),
      composite('b', ['c', 'web']),
      composite('c', ['a']),
      httpCheck('web'),
    ];
    expect(findCompositeCycle(checks)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCompositeCycle([composite('a', ['b']), composite('b', ['web']), httpCheck('web')])).toBeNull();
  });

  it('lists the composites affected by a change, children before parents, and nothing else', () => {
    const g = new CompositeGraph([
      composite('top', ['mid', 'other']),
      composite('mid', ['web']),
      composite('other', ['db']),
      composite('unrelated', ['db']),
      httpCheck('web'),
      httpCheck('db'),
    ]);
    expect(g.affected(['web'])).toEqual(['mid', 'top']);
    expect(g.affected(['db'])).toEqual(expect.arrayContaining(['other', 'unrelated', 'top']));
    const order = g.affected(['db']);
    expect(order.indexOf('other')).toBeLessThan(order.indexOf('top'));
    expect(g.affected(['nothing'])).toEqual([]);
    expect(g.size).toBe(4);
  });
});

/** app: primary answer behind composite "either" of two probed checks; secondary unchecked. */
function compositeConfig(atLeast = 1, invert = false) {
  return config({
    checks: [
      httpCheck('web-a'),
      httpCheck('web-b'),
      composite('either', ['web-a', 'web-b'], atLeast, invert),
    ],
    records: [
      failoverRecord({
        answers: [
          { name: 'primary', values: ['192.0.2.10'], check: 'either' },
          { name: 'secondary', values: ['198.51.100.10'], check: null },
        ],
      }),
    ],
  });
}

describe('DecisionEngine with composite checks', () => {
  it('follows its children: up while one is up, down (and fails over) when both are down', () => {
    const h = new Harness(compositeConfig(1));
    h.rounds(2, { 'web-a': '+++', 'web-b': '+++' });
    expect(h.engine.state.checks.either!.verdict).toBe('up');
    h.rounds(3, { 'web-a': '---', 'web-b': '+++' });
    expect(h.engine.state.checks['web-a']!.verdict).toBe('down');
    expect(h.engine.state.checks.either!.verdict).toBe('up');
    expect(h.active()).toBe('primary');
    h.rounds(3, { 'web-a': '---', 'web-b': '---' });
    expect(h.engine.state.checks.either!.verdict).toBe('down');
    expect(h.active()).toBe('secondary');
    const ev = h.events.find((e) => e.type === 'verdict-changed' && e.check === 'either' && e.to === 'down')!;
    expect(ev.message).toMatch(/0 of 2 children up/);
    expect(ev.evidence.checks![0]!.children).toEqual([
      { check: 'web-a', verdict: 'down' },
      { check: 'web-b', verdict: 'down' },
    ]);
    const switched = h.events.find((e) => e.type === 'answer-switched')!;
    expect(switched.evidence.checks![0]!.rule).toBe('at least 1 of [web-a, web-b] up');
  });

  it('atLeast 2: one child down is enough to take it down', () => {
    const h = new Harness(compositeConfig(2));
    h.rounds(2, { 'web-a': '+++', 'web-b': '+++' });
    h.rounds(3, { 'web-a': '+++', 'web-b': '---' });
    expect(h.engine.state.checks.either!.verdict).toBe('down');
    expect(h.active()).toBe('secondary');
  });

  it('stays unknown while an unknown child could still decide it, and never fails over on that', () => {
    const h = new Harness(compositeConfig(2));
    h.rounds(3, { 'web-a': '+++' });
    expect(h.engine.state.checks['web-b']!.verdict).toBe('unknown');
    expect(h.engine.state.checks.either!.verdict).toBe('unknown');
    expect(h.active()).toBe('primary');
  });

  it('invert: up while its child is down', () => {
    const h = new Harness(compositeConfig(1, true));
    h.rounds(2, { 'web-a': '+++', 'web-b': '+++' });
    expect(h.engine.state.checks.either!.verdict).toBe('down');
    h.rounds(3, { 'web-a': '---', 'web-b': '---' });
    expect(h.engine.state.checks.either!.verdict).toBe('up');
  });

  it('is unconfirmed (insufficient) while its verdict rests on a child held with too few voters', () => {
    const h = new Harness(compositeConfig(1));
    h.rounds(2, { 'web-a': '+++', 'web-b': '---' });
    h.rounds(3, { 'web-a': '+++', 'web-b': '---' });
    expect(h.engine.state.checks.either).toMatchObject({ verdict: 'up', insufficient: false });
    // Two regions fall silent: web-a's up is held on one voter, and so is the composite's.
    h.rounds(5, { 'web-a': '+..', 'web-b': '-..' });
    expect(h.engine.state.checks['web-a']).toMatchObject({ verdict: 'up', insufficient: true });
    expect(h.engine.state.checks.either).toMatchObject({ verdict: 'up', insufficient: true });
    h.rounds(3, { 'web-a': '+++', 'web-b': '---' });
    expect(h.engine.state.checks.either).toMatchObject({ verdict: 'up', insufficient: false });
  });

  it('ignores results that name a composite', () => {
    const h = new Harness(compositeConfig(1));
    const outs = h.report('either', '+++');
    expect(outs.map((o) => o.stats.unknown)).toEqual([1, 1, 1]);
  });

  it('leaves composites out of the mass-failure guard: 3 of 4 probed checks down holds, however many composites', () => {
    const probed = ['a', 'b', 'c', 'd'];
    const composites = probed.map((id) => composite(`not-${id}`, [id], 1, true));
    const records = probed.map((id) =>
      failoverRecord({
        id: `${id}.example.test./A`,
        name: `${id}.example.test.`,
        answers: [
          { name: 'primary', values: ['192.0.2.1'], check: id },
          { name: 'secondary', values: ['198.51.100.1'], check: null },
        ],
      }),
    );
    const h = new Harness(config({ checks: [...probed.map((id) => httpCheck(id)), ...composites], records }));
    h.rounds(2, { a: '+++', b: '+++', c: '+++', d: '+++' });
    h.rounds(3, { a: '---', b: '---', c: '---', d: '+++' });
    const hold = h.events.find((e) => e.type === 'guard-hold');
    expect(hold?.evidence.guard).toMatchObject({ counted: 3, total: 4 });
  });
});
