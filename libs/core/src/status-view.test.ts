import { describe, expect, it } from 'vitest';
import { emptyState } from './state-init.js';
import { statusView } from './status-view.js';
import { config, httpCheck } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

describe('statusView', () => {
  it('summarizes records, checks and regions after a failover', () => {
    const h = new Harness(config());
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '--+', secondary: '+++' });
    h.engine.markPublished('dns', h.engine.zoneState.serial, h.now);
    const v = statusView(h.config, h.engine.state, h.now);
    expect(v.serial).toBe(h.engine.zoneState.serial);
    expect(v.records[0]).toMatchObject({
      id: 'app.example.test./A',
      active: 'secondary',
      tier: 1,
      values: ['198.51.100.10'],
      allDown: false,
    });
    expect(v.records[0]!.effectiveBy.dns).toBe(h.now + 30_000);
    const primary = v.checks.find((c) => c.id === 'primary')!;
    expect(primary.verdict).toBe('down');
    expect(primary.regions.map((r) => r.state)).toEqual(['down', 'down', 'up']);
    expect(primary.regions[0]!.last?.reason).toBe('connect');
    expect(v.regions.every((r) => r.lastSeenAt !== null && !r.stale)).toBe(true);
  });

  it('shows one failover record when the filter names it, and none for an unknown id', () => {
    const h = new Harness(config());
    const id = h.config.zones[0]!.failover[0]!.id;
    const one = statusView(h.config, h.engine.state, h.now, [], { record: id });
    expect(one.records.map((r) => r.id)).toEqual([id]);
    expect(one.checks).toHaveLength(statusView(h.config, h.engine.state, h.now).checks.length);
    expect(statusView(h.config, h.engine.state, h.now, [], { record: 'nope./A' }).records).toEqual([]);
  });

  it('works on an empty state', () => {
    const v = statusView(config(), emptyState(), 0);
    expect(v.records[0]).toMatchObject({ active: 'primary', tier: 0, switchedAt: null });
    expect(v.checks[0]!.regions[0]).toMatchObject({ state: 'unknown', stale: false, last: null });
    expect(v.regions[0]).toEqual({ region: 'us-east', lastSeenAt: null, stale: false });
  });

  it('shows each check with its type and target; a composite with its rule and no region cells', () => {
    const either = {
      id: 'either',
      type: 'composite' as const,
      children: ['primary', 'secondary'],
      atLeast: 1,
      invert: true,
    };
    const cfg = config({ checks: [httpCheck('primary'), httpCheck('secondary'), either] });
    const h = new Harness(cfg);
    h.rounds(2, { primary: '+++', secondary: '+++' });
    const v = statusView(cfg, h.engine.state, h.now);
    expect(v.checks.map((c) => [c.id, c.type, c.target, c.verdict, c.regions.length])).toEqual([
      ['primary', 'https', 'https://127.0.0.1:443/', 'up', 3],
      ['secondary', 'https', 'https://127.0.0.1:443/', 'up', 3],
      ['either', 'composite', 'not 1 of [primary, secondary]', 'down', 0],
    ]);
  });
});
