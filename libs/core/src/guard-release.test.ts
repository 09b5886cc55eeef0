/**
 * Issue #10 §4: when the mass-failure guard releases because the first checks recovered, the checks it
 * held must be judged on fresh results, not on the down votes they were held with.
 */
import { describe, expect, it } from 'vitest';
import { config, failoverRecord, httpCheck } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

const FAST = ['c0', 'c1', 'c2', 'c3', 'c4'];
/** Probed every 5 s: after the origins come back, their next results arrive well after the fast checks'. */
const SLOW = ['c5', 'c6', 'c7', 'c8', 'c9'];
const ALL = [...FAST, ...SLOW];
const recordOf = (id: string) => `${id}.example.test./A`;

function tenChecks() {
  const records = ALL.map((id) =>
    failoverRecord({
      id: recordOf(id),
      name: `${id}.example.test.`,
      answers: [
        { name: 'primary', values: ['192.0.2.1'], check: id },
        { name: 'secondary', values: ['198.51.100.1'], check: null },
      ],
      failbackAfter: 5000,
      flapDamping: null,
    }),
  );
  const checks = ALL.map((id) => httpCheck(id, SLOW.includes(id) ? { interval: 5000 } : {}));
  return config({ checks, records });
}

const each = (ids: string[], pattern: string) => Object.fromEntries(ids.map((id) => [id, pattern]));

/** Both origins stop: the fast checks go down first (5 of 10, not more than half), then the slow ones. */
function massFailure(): Harness {
  const h = new Harness(tenChecks());
  h.rounds(2, each(ALL, '+++'));
  h.rounds(2, each(FAST, '---'));
  expect(FAST.map((id) => h.active(recordOf(id)))).toEqual(FAST.map(() => 'secondary'));
  h.rounds(2, each(ALL, '---'));
  expect(h.ofType('guard-hold')).toHaveLength(1);
  expect(h.engine.state.guard.holding).toBe(true);
  return h;
}

function downVerdictsAfterHold(h: Harness, ids: string[]) {
  const holdSeq = h.ofType('guard-hold')[0]!.seq;
  return h
    .ofType('verdict-changed')
    .filter((e) => e.seq > holdSeq && e.to === 'down' && ids.includes(e.check!));
}

describe('mass-failure guard: release after a mass failure', () => {
  it('switches none of the held checks whose origins are back when the first recoveries release it', () => {
    const h = massFailure();
    const switchedBefore = h.ofType('answer-switched').length;
    // The origins are back. The fast checks see it first and release the guard; the slow checks have no
    // result since then, so their last votes are still the down votes of the outage.
    h.rounds(2, each(FAST, '+++'));
    const release = h.ofType('guard-release');
    expect(release).toHaveLength(1);
    expect(downVerdictsAfterHold(h, SLOW)).toEqual([]);
    expect(SLOW.map((id) => h.active(recordOf(id)))).toEqual(SLOW.map(() => 'primary'));
    expect(release[0]!.evidence.guard?.rejudged).toEqual(SLOW);
    // Their fresh results come in: up, and still no record moved.
    h.rounds(2, each(ALL, '+++'));
    expect(SLOW.map((id) => h.engine.state.checks[id]!.verdict)).toEqual(SLOW.map(() => 'up'));
    const switched = h.ofType('answer-switched').slice(switchedBefore);
    expect(switched.filter((e) => SLOW.map(recordOf).includes(e.record!))).toEqual([]);
    expect(h.ofType('quorum-insufficient')).toEqual([]);
  });

  it('a held check whose origin is still down fails over on its fresh failures after the release', () => {
    const h = massFailure();
    // Everything but c9 recovers; c9's origin is really down.
    h.rounds(2, { ...each(FAST, '+++'), ...each(SLOW.slice(0, 4), '+++') });
    expect(h.ofType('guard-release')).toHaveLength(1);
    expect(h.active(recordOf('c9'))).toBe('primary');
    h.rounds(1, { c9: '---' });
    expect(h.active(recordOf('c9'))).toBe('primary'); // one fresh failure, fall is 2
    h.rounds(1, { c9: '---' });
    expect(h.engine.state.checks.c9!.verdict).toBe('down');
    expect(h.active(recordOf('c9'))).toBe('secondary');
    expect(h.ofType('guard-hold')).toHaveLength(1);
  });

  it('an operator release still applies the held down verdicts at once', () => {
    const h = massFailure();
    h.engine.releaseGuard({ name: 'ops', reason: 'the origins are really down' }, h.now);
    expect(SLOW.map((id) => h.active(recordOf(id)))).toEqual(SLOW.map(() => 'secondary'));
  });
});
