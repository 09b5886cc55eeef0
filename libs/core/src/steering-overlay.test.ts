/** Issue 14 part 3: per-rule values through the overlay helpers, and the regional verdict's fallback. */
import { describe, expect, it } from 'vitest';
import type { OverlayDelta, ZoneOverlay } from './overlay.js';
import { applyDelta, mergeSteered, overlayTtl, patchOverlay } from './overlay.js';
import { copyOverlay, mergeDeltas, overlayUpdateProblem } from './overlay-journal.js';
import { newCheckState } from './state-init.js';
import type { DeciderState, RegionHealth } from './state-types.js';
import { probedIdsOf, regionalVerdict } from './steering.js';
import { config, httpCheck } from './test-support/fixtures.js';

const A = 'a./A';
const B = 'b./A';
const overlay: ZoneOverlay = {
  serial: 5,
  epoch: 1,
  generatedAt: 0,
  records: { [A]: ['192.0.2.1'], [B]: ['192.0.2.2'] },
  steered: { [A]: [['192.0.2.9'], ['192.0.2.1']] },
};
const delta = (base: number, serial: number, over: Partial<OverlayDelta>): OverlayDelta => ({
  base,
  serial,
  epoch: 1,
  generatedAt: serial,
  records: {},
  ...over,
});

describe('steered values in overlays and deltas', () => {
  it('a delta replaces the per-rule values of the records it lists, and keeps the others', () => {
    const d = delta(5, 6, { records: { [B]: ['192.0.2.3'] }, steered: { [B]: [['192.0.2.4']] } });
    expect(applyDelta(overlay, d)!.steered).toEqual({
      [A]: [['192.0.2.9'], ['192.0.2.1']],
      [B]: [['192.0.2.4']],
    });
    // A record listed without an entry is no longer steered.
    expect(applyDelta(overlay, delta(5, 6, { records: { [A]: ['192.0.2.1'] } }))!.steered).toBeUndefined();
    expect(mergeSteered(undefined, { records: { [A]: [] } })).toBeUndefined();
  });

  it('folds consecutive deltas and copies an overlay with them', () => {
    const one = delta(5, 6, { records: { [A]: ['192.0.2.1'] }, steered: { [A]: [['x'], ['y']] } });
    const two = delta(6, 7, { records: { [B]: ['192.0.2.2'] }, steered: { [B]: [['z']] } });
    expect(mergeDeltas(one, two).steered).toEqual({ [A]: [['x'], ['y']], [B]: [['z']] });
    const three = delta(7, 8, { records: { [A]: ['192.0.2.1'] } });
    expect(mergeDeltas(mergeDeltas(one, two), three).steered).toEqual({ [B]: [['z']] });
    const copy = copyOverlay(overlay);
    expect(copy).toEqual(overlay);
    delete copy.steered![A];
    expect(overlay.steered![A]).toBeDefined();
  });

  it('refuses a malformed steered map from outside', () => {
    expect(overlayUpdateProblem({ kind: 'full', overlay })).toBeNull();
    const bad = (steered: unknown) =>
      overlayUpdateProblem({ kind: 'full', overlay: { ...overlay, steered } });
    expect(bad([])).toBe('steered is not an object');
    expect(bad({ [A]: ['192.0.2.1'] })).toBe(`steered["${A}"] is not a list of value lists`);
    expect(bad({ [A]: [[1]] })).toBe(`steered["${A}"] is not a list of value lists`);
  });
});

describe('regionalVerdict', () => {
  const check = httpCheck('web');
  const cfg = config({ checks: [check] });
  const now = 1_000_000;
  const ctx = { now, staleAfterIntervals: 3, minVoters: 2 };
  const vote = (state: 'up' | 'down', receivedAt = now): RegionHealth => ({
    state,
    consecutiveOk: 0,
    consecutiveFail: 0,
    lastObservedAt: receivedAt,
    lastSeq: 1,
    lastProbeId: 'p',
    lastReceivedAt: receivedAt,
    changedAt: null,
    last: null,
  });
  function deps(regions: Record<string, RegionHealth>, verdict: 'up' | 'down') {
    const cs = { ...newCheckState(), verdict, regions };
    const st = { checks: { web: cs }, overrides: {} } as unknown as DeciderState;
    return { st, checksById: new Map(cfg.checks.map((c) => [c.id, c])), verdictContext: () => ctx };
  }

  it('applies the check quorum to the subset votes', () => {
    const d = deps({ 'us-east': vote('up'), 'eu-west': vote('down'), 'ap-south': vote('up') }, 'up');
    expect(regionalVerdict(d, 'web', ['eu-west'], ctx)).toBe('down');
    // 1 of 2 down: 2/3 of 2 voters needs 2.
    expect(regionalVerdict(d, 'web', ['us-east', 'eu-west'], ctx)).toBe('up');
  });

  it('falls back to the global verdict when the subset has too few fresh voters', () => {
    const stale = now - 10 * check.interval;
    const d = deps(
      { 'us-east': vote('down'), 'eu-west': vote('up', stale), 'ap-south': vote('down') },
      'down',
    );
    expect(regionalVerdict(d, 'web', ['eu-west'], ctx)).toBe('down');
    // Not a region the check runs in: the global verdict too.
    expect(regionalVerdict(d, 'web', ['mars'], ctx)).toBe('down');
  });

  it('a check the config does not know has no regional view: its (unknown) global verdict', () => {
    const d = deps({ 'eu-west': vote('down') }, 'up');
    expect(regionalVerdict(d, 'gone', ['eu-west'], ctx)).toBe('unknown');
  });
});

describe('probedIdsOf', () => {
  it('lists the probed checks under the answers and skips ids the config does not know', () => {
    const cfg = config({ checks: [httpCheck('web')] });
    const rec = {
      ...cfg.zones[0]!.failover[0]!,
      answers: [
        { name: 'a', values: ['192.0.2.1'], check: 'web' },
        { name: 'b', values: ['192.0.2.2'], check: 'gone' },
        { name: 'c', values: ['192.0.2.3'], check: null },
      ],
    };
    expect(probedIdsOf({ checksById: new Map(cfg.checks.map((c) => [c.id, c])) }, rec)).toEqual(['web']);
  });
});

describe('overlayTtl', () => {
  it('is the configured TTL without an overlay or an entry, and the overlay’s while degraded', () => {
    const rec = { ...config({ checks: [httpCheck('web')] }).zones[0]!.failover[0]!, id: A, ttl: 60 };
    expect(overlayTtl(null, rec)).toBe(60);
    expect(overlayTtl(overlay, rec)).toBe(60);
    expect(overlayTtl({ ...overlay, ttls: { [A]: 5 } }, rec)).toBe(5);
  });
});

describe('patchOverlay', () => {
  it('applies a delta in place, as applyDelta does, and its undo puts everything back', () => {
    const o = structuredClone({ ...overlay, ttls: { [B]: 5 } });
    const original = structuredClone(o);
    const d = delta(5, 6, {
      records: { [B]: ['192.0.2.3'], 'c./A': ['192.0.2.7'] },
      steered: { [B]: [['192.0.2.4']] },
    });
    const undo = patchOverlay(o, d);
    expect(o).toEqual(applyDelta(original, d));
    expect(o.ttls).toBeUndefined(); // B is listed without a TTL: it serves its own again
    undo();
    expect(o).toEqual(original);
    expect(Object.hasOwn(o.records, 'c./A')).toBe(false);
  });
});
