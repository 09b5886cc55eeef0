import { describe, expect, it } from 'vitest';
import { DecisionEngine } from './engine.js';
import { NotFoundError, StateConflictError } from './errors.js';
import { batch, config, failoverRecord, httpCheck, result } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

const actor = { name: 'ops', reason: 'test' };

/** One record per check: primary behind the check, an unchecked secondary (for the guard's tests). */
function guardConfig(ids: string[]) {
  const records = ids.map((id) =>
    failoverRecord({
      id: `${id}.example.test./A`,
      name: `${id}.example.test.`,
      answers: [
        { name: 'primary', values: ['192.0.2.1'], check: id },
        { name: 'secondary', values: ['198.51.100.1'], check: null },
      ],
    }),
  );
  return config({ checks: ids.map((id) => httpCheck(id)), records });
}

function healthy(h: Harness): void {
  h.rounds(2, { primary: '+++', secondary: '+++' });
}

describe('DecisionEngine: failover through quorum', () => {
  it('starts on the primary and serves it in the zone state', () => {
    const h = new Harness(config());
    expect(h.active()).toBe('primary');
    expect(h.served()).toEqual(['192.0.2.10']);
    expect(h.engine.zoneState.serial).toBeGreaterThan(0);
    const soa = h.engine.zoneState.zones[0]!.rrsets.find((r) => r.type === 'SOA')!;
    expect(soa.values[0]).toContain(` ${h.engine.zoneState.serial} `);
  });

  it('one region seeing the primary down is not enough for 2/3', () => {
    const h = new Harness(config());
    healthy(h);
    h.rounds(5, { primary: '-++', secondary: '+++' });
    expect(h.engine.state.checks.primary!.verdict).toBe('up');
    expect(h.active()).toBe('primary');
    expect(h.ofType('answer-switched')).toHaveLength(0);
  });

  it('two of three regions fail it over, with evidence and a new serial', () => {
    const h = new Harness(config());
    healthy(h);
    const serialBefore = h.engine.zoneState.serial;
    h.report('primary', '--+');
    expect(h.active()).toBe('primary'); // fall = 2: one failure per region is not enough
    h.advance(1000);
    const outs = h.report('primary', '--+');
    expect(h.active()).toBe('secondary');
    expect(h.served()).toEqual(['198.51.100.10']);
    const zs = outs.find((o) => o.delta)!.delta!;
    expect(zs.serial).toBeGreaterThan(serialBefore);
    const sw = h.ofType('answer-switched')[0]!;
    expect(sw).toMatchObject({ severity: 'critical', from: 'primary', to: 'secondary', serial: zs.serial });
    const ev = sw.evidence.checks!.find((c) => c.check === 'primary')!;
    expect(ev).toMatchObject({
      verdict: 'down',
      rule: '2/3',
      required: 2,
      voters: 3,
      downVotes: 2,
      fall: 2,
      rise: 2,
    });
    expect(ev.votes.map((v) => [v.region, v.state])).toEqual([
      ['us-east', 'down'],
      ['eu-west', 'down'],
      ['ap-south', 'up'],
    ]);
    expect(sw.evidence.timing).toMatchObject({
      ttl: 30,
      detectBudget: 2 * 1000 + 500,
      expectedEffectiveBy: h.now + 30_000,
    });
    expect(h.ofType('verdict-changed').some((e) => e.check === 'primary' && e.to === 'down')).toBe(true);
  });

  it('ignores duplicate and late batches and counts unknown checks and regions', () => {
    const h = new Harness(config());
    const r = result('primary', 'us-east', false, h.now);
    expect(h.engine.ingest(batch('us-east', [r]), h.now).stats).toEqual({
      accepted: 1,
      stale: 0,
      unknown: 0,
      future: 0,
    });
    expect(h.engine.ingest(batch('us-east', [r]), h.now).stats).toEqual({
      accepted: 0,
      stale: 1,
      unknown: 0,
      future: 0,
    });
    const wrong = [result('nope', 'us-east', true, h.now), result('primary', 'eu-west', true, h.now)];
    expect(h.engine.ingest(batch('us-east', wrong), h.now).stats).toEqual({
      accepted: 0,
      stale: 0,
      unknown: 2,
      future: 0,
    });
    const ahead = result('primary', 'us-east', true, h.now + 3_600_000);
    expect(h.engine.ingest(batch('us-east', [ahead]), h.now).stats.future).toBe(1);
    // The refused result does not block honest later ones.
    expect(
      h.engine.ingest(batch('us-east', [result('primary', 'us-east', false, h.now + 10)]), h.now + 10).stats
        .accepted,
    ).toBe(1);
    expect(
      h.engine.ingest(batch('mars', [result('primary', 'mars', true, h.now)]), h.now).stats.unknown,
    ).toBe(1);
    expect(h.engine.state.checks.primary!.regions['us-east']!.consecutiveFail).toBe(2);
  });
});

describe('DecisionEngine: stale regions drop out and never count as down', () => {
  it('a silent region goes stale, raises an event, and causes no failover', () => {
    const h = new Harness(config());
    healthy(h);
    // ap-south goes silent; us-east alone sees the primary down.
    for (let i = 0; i < 6; i++) {
      h.report('primary', '-+.');
      h.report('secondary', '++.');
      h.advance(1000);
      h.tick();
    }
    expect(h.ofType('region-stale').map((e) => e.region)).toEqual(['ap-south']);
    expect(h.engine.state.checks.primary!.verdict).toBe('up');
    expect(h.active()).toBe('primary');
    // It comes back: region-fresh.
    h.report('primary', '..+');
    expect(h.ofType('region-fresh').map((e) => e.region)).toEqual(['ap-south']);
  });

  it('a down vote from a region that then went stale no longer counts', () => {
    const h = new Harness(config());
    healthy(h);
    h.rounds(2, { primary: '..-', secondary: '+++' }); // ap-south votes down, then goes silent
    expect(h.engine.state.checks.primary!.regions['ap-south']!.state).toBe('down');
    h.rounds(4, { primary: '++.', secondary: '++.' });
    h.rounds(2, { primary: '-+.', secondary: '++.' }); // us-east down: 1 of 2 fresh voters
    expect(h.engine.state.checks.primary!.verdict).toBe('up');
    expect(h.active()).toBe('primary');
  });

  it('holds the verdict when fewer than minVoters regions are fresh', () => {
    const h = new Harness(config());
    healthy(h);
    h.rounds(5, { primary: '-..', secondary: '+..' });
    const check = h.engine.state.checks.primary!;
    expect(check.insufficient).toBe(true);
    expect(check.verdict).toBe('up');
    expect(h.ofType('quorum-insufficient').some((e) => e.check === 'primary')).toBe(true);
    expect(h.active()).toBe('primary');
  });
});

describe('DecisionEngine: failback', () => {
  function failedOver(over = {}): Harness {
    const h = new Harness(config({ records: [failoverRecord({ failbackAfter: 10_000, ...over })] }));
    healthy(h);
    h.rounds(2, { primary: '---', secondary: '+++' });
    expect(h.active()).toBe('secondary');
    return h;
  }

  it('waits failbackAfter after the primary is healthy again, then fails back', () => {
    const h = failedOver();
    h.rounds(2, { primary: '+++', secondary: '+++' });
    expect(h.engine.state.checks.primary!.verdict).toBe('up');
    const pending = h.ofType('failback-pending')[0]!;
    expect(pending).toMatchObject({ to: 'primary', from: 'secondary' });
    expect(h.active()).toBe('secondary');
    const due = h.engine.state.records['app.example.test./A']!.pendingFailback!.dueAt!;
    // Regions keep reporting healthy: the hold only passes on fresh evidence.
    while (h.now + 1000 < due) {
      h.rounds(1, { primary: '+++', secondary: '+++' });
      expect(h.active()).toBe('secondary');
    }
    h.now = due;
    h.report('primary', '+++');
    const out = h.tick();
    expect(h.active()).toBe('primary');
    expect(out.delta?.records['app.example.test./A']).toEqual(['192.0.2.10']);
    expect(h.served()).toEqual(['192.0.2.10']);
    expect(h.ofType('answer-switched').at(-1)).toMatchObject({
      from: 'secondary',
      to: 'primary',
      severity: 'info',
    });
  });

  it('a primary that fails again during the hold cancels the failback', () => {
    const h = failedOver();
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '---', secondary: '+++' });
    expect(h.engine.state.records['app.example.test./A']!.pendingFailback).toBeNull();
    h.advance(60_000);
    h.tick();
    expect(h.active()).toBe('secondary');
  });

  it('manual failback needs an approval and consumes it', () => {
    const h = failedOver({ failbackAfter: 'manual' });
    expect(() => h.engine.approveFailback('app.example.test./A', actor, h.now)).toThrow(StateConflictError);
    h.rounds(30, { primary: '+++', secondary: '+++' });
    expect(h.active()).toBe('secondary');
    expect(h.engine.state.records['app.example.test./A']!.pendingFailback).toEqual({
      to: 'primary',
      dueAt: null,
    });
    const out = h.engine.approveFailback('app.example.test./A', actor, h.now);
    expect(h.active()).toBe('primary');
    expect(out.events.map((e) => e.type)).toEqual(['failback-approved', 'answer-switched']);
    expect(out.events[0]!.actor).toEqual(actor);
    expect(h.engine.state.records['app.example.test./A']!.failbackApproved).toBe(false);
  });
});

describe('DecisionEngine: flap damping', () => {
  it('after maxFlips - 1 switches it holds the safer answer until the window passes', () => {
    const h = new Harness(
      config({
        records: [failoverRecord({ failbackAfter: 1000, flapDamping: { maxFlips: 3, window: 60_000 } })],
      }),
    );
    healthy(h);
    h.rounds(2, { primary: '---', secondary: '+++' }); // flip 1
    h.rounds(3, { primary: '+++', secondary: '+++' }); // flip 2 (failback after 1 s)
    expect(h.active()).toBe('primary');
    h.rounds(2, { primary: '---', secondary: '+++' }); // flip 3
    expect(h.active()).toBe('secondary');
    h.rounds(5, { primary: '+++', secondary: '+++' });
    expect(h.active()).toBe('secondary');
    expect(h.ofType('flap-damped')).toHaveLength(1);
    expect(h.engine.state.records['app.example.test./A']!.damped).toBe(true);
    h.rounds(60, { primary: '+++', secondary: '+++' }); // the window passes with the regions reporting
    expect(h.ofType('flap-released')).toHaveLength(1);
    expect(h.active()).toBe('primary');
  });
});

describe('DecisionEngine: mass-failure guard', () => {
  const ids = ['a', 'b', 'c', 'd'];
  const cfg = guardConfig(ids);
  const all = (p: string) => Object.fromEntries(ids.map((id) => [id, p]));

  it('holds when more than the share of checks go down at once, and releases when they recover', () => {
    const h = new Harness(cfg);
    h.rounds(2, all('+++'));
    h.rounds(3, { a: '---', b: '---', c: '---', d: '+++' });
    expect(h.ofType('guard-hold')).toHaveLength(1);
    expect(h.ofType('guard-hold')[0]!.evidence.guard).toMatchObject({
      counted: 3,
      checks: ['a', 'b', 'c'],
      total: 4,
      threshold: 0.5,
    });
    expect(ids.map((id) => h.active(`${id}.example.test./A`))).toEqual([
      'primary',
      'primary',
      'primary',
      'primary',
    ]);
    expect(h.ofType('answer-switched')).toHaveLength(0);
    // Two recover: 1 of 4 down is under the share, so the guard releases. The check it held starts over
    // and fails over on its fresh failures (fall = 2); see guard-release.test.ts.
    h.rounds(3, { a: '---', b: '+++', c: '+++', d: '+++' });
    expect(h.ofType('guard-release')).toHaveLength(1);
    h.rounds(2, { a: '---', b: '+++', c: '+++', d: '+++' });
    expect(h.active('a.example.test./A')).toBe('secondary');
    expect(h.active('b.example.test./A')).toBe('primary');
  });

  it('an operator can release the hold; it stays released until the condition clears', () => {
    const h = new Harness(cfg);
    h.rounds(2, all('+++'));
    h.rounds(2, { a: '---', b: '---', c: '---', d: '+++' });
    expect(() => new Harness(cfg).engine.releaseGuard(actor, h.now)).toThrow(StateConflictError);
    const out = h.engine.releaseGuard(actor, h.now);
    expect(out.events[0]).toMatchObject({ type: 'guard-release', actor });
    expect(['a', 'b', 'c'].map((id) => h.active(`${id}.example.test./A`))).toEqual([
      'secondary',
      'secondary',
      'secondary',
    ]);
    h.rounds(2, { a: '---', b: '---', c: '---', d: '+++' });
    expect(h.ofType('guard-hold')).toHaveLength(1);
  });

  it('checks failing one after another: the guard caps how many go down at once', () => {
    const h = new Harness(cfg);
    h.rounds(2, all('+++'));
    h.rounds(2, { a: '---', b: '+++', c: '+++', d: '+++' });
    h.rounds(2, { a: '---', b: '---', c: '+++', d: '+++' });
    h.rounds(2, { a: '---', b: '---', c: '---', d: '+++' });
    expect(ids.map((id) => h.active(`${id}.example.test./A`))).toEqual([
      'secondary',
      'secondary',
      'primary',
      'primary',
    ]);
    expect(h.ofType('guard-hold')).toHaveLength(1);
  });

  it('does not arm below minChecks', () => {
    const h = new Harness(config());
    healthy(h);
    h.rounds(2, { primary: '---', secondary: '---' });
    expect(h.ofType('guard-hold')).toHaveLength(0);
    expect(h.ofType('all-down')).toHaveLength(1);
  });
});

describe('DecisionEngine: overrides and all-down', () => {
  it('override down moves off an answer at once; obey brings back the check, with the failback hold', () => {
    const h = new Harness(config({ records: [failoverRecord({ failbackAfter: 5000 })] }));
    healthy(h);
    const out = h.engine.setOverride('app.example.test./A', 'primary', 'down', actor, h.now);
    expect(h.active()).toBe('secondary');
    expect(out.events.map((e) => e.type)).toEqual(['override-set', 'answer-switched']);
    expect(h.engine.state.overrides['app.example.test./A']).toEqual({ primary: 'down' });
    h.engine.setOverride('app.example.test./A', 'primary', 'obey', actor, h.now);
    expect(h.engine.state.overrides['app.example.test./A']).toBeUndefined();
    expect(h.active()).toBe('secondary');
    h.rounds(6, { primary: '+++', secondary: '+++' });
    expect(h.active()).toBe('primary');
  });

  it('override up keeps an answer in service though its check is down', () => {
    const h = new Harness(config());
    healthy(h);
    h.engine.setOverride('app.example.test./A', 'primary', 'up', actor, h.now);
    h.rounds(3, { primary: '---', secondary: '+++' });
    expect(h.engine.state.checks.primary!.verdict).toBe('down');
    expect(h.active()).toBe('primary');
  });

  it('rejects unknown records and answers', () => {
    const h = new Harness(config());
    expect(() => h.engine.setOverride('nope./A', 'primary', 'down', actor, h.now)).toThrow(NotFoundError);
    expect(() => h.engine.setOverride('app.example.test./A', 'nope', 'down', actor, h.now)).toThrow(
      NotFoundError,
    );
  });

  it.each([
    [{ mode: 'primary' as const }, ['192.0.2.10']],
    [{ mode: 'none' as const }, []],
    [{ mode: 'fallback' as const, name: 'sorry', values: ['203.0.113.9'] }, ['203.0.113.9']],
  ])('both down applies whenAllDown %o', (whenAllDown, values) => {
    const h = new Harness(config({ records: [failoverRecord({ whenAllDown })] }));
    healthy(h);
    h.rounds(3, { primary: '---', secondary: '---' });
    expect(h.served()).toEqual(values);
    expect(h.ofType('all-down')).toHaveLength(1);
    h.rounds(3, { primary: '---', secondary: '+++' });
    expect(h.served()).toEqual(['198.51.100.10']);
    expect(h.ofType('all-down-cleared')).toHaveLength(1);
  });
});

describe('DecisionEngine: timing and restarts', () => {
  it('markPublished records publishedAt and effectiveBy = publishedAt + TTL per target', () => {
    const h = new Harness(config());
    healthy(h);
    h.rounds(2, { primary: '---', secondary: '+++' });
    const rs = h.engine.state.records['app.example.test./A']!;
    expect(rs.switchedSerial).toBe(h.engine.zoneState.serial);
    expect(h.engine.markPublished('dns', rs.switchedSerial! - 1, h.now)).toBe(false);
    expect(h.engine.markPublished('dns', rs.switchedSerial!, h.now + 3)).toBe(true);
    expect(h.engine.markPublished('dns', rs.switchedSerial! + 1, h.now + 9)).toBe(false);
    expect(rs.publishedAt).toEqual({ dns: h.now + 3 });
    expect(rs.effectiveBy).toEqual({ dns: h.now + 3 + 30_000 });
  });

  it('a restart from a snapshot keeps answers, hysteresis and a rising serial', () => {
    const h = new Harness(config());
    healthy(h);
    h.rounds(2, { primary: '---', secondary: '+++' });
    h.report('secondary', '-++'); // one failure in us-east, fall is 2
    const snap = h.engine.snapshot();
    const serial = h.engine.zoneState.serial;
    const again = new DecisionEngine({ config: config(), state: snap, now: h.now + 1000, epoch: 2 });
    expect(again.zoneState.serial).toBeGreaterThan(serial);
    expect(again.zoneState.epoch).toBe(2);
    expect(again.state.records['app.example.test./A']!.active).toEqual({ kind: 'answer', name: 'secondary' });
    expect(again.state.checks.secondary!.regions['us-east']!.consecutiveFail).toBe(1);
    const out = again.ingest(
      batch('us-east', [result('secondary', 'us-east', false, h.now + 1500)]),
      h.now + 1500,
    );
    expect(again.state.checks.secondary!.regions['us-east']!.state).toBe('down');
    expect(out.events.filter((e) => e.type === 'answer-switched')).toHaveLength(0);
    expect(again.state.eventSeq).toBeGreaterThanOrEqual(snap.eventSeq);
  });

  it('starts above a serial that is already published', () => {
    const e = new DecisionEngine({ config: config(), now: 1000, epoch: 1, minSerial: 4_000_000_000 });
    expect(e.zoneState.serial).toBe(4_000_000_001);
  });

  it('setEpoch stamps later zone states', () => {
    const h = new Harness(config());
    healthy(h);
    h.engine.setEpoch(7);
    expect(h.engine.currentEpoch).toBe(7);
    h.rounds(2, { primary: '---', secondary: '+++' });
    expect(h.engine.zoneState.epoch).toBe(7);
  });
});

describe('DecisionEngine: overlay deltas', () => {
  it('a switch yields a delta of the changed record only, from the previous serial, and updates the overlay', () => {
    const h = new Harness(config());
    healthy(h);
    const before = h.engine.overlay.serial;
    const zsBefore = h.engine.zoneState;
    expect(h.engine.zoneState).toBe(zsBefore); // cached per serial
    h.report('primary', '--+');
    h.advance(1000);
    const outs = h.report('primary', '--+');
    const deltas = outs.flatMap((o) => (o.delta ? [o.delta] : []));
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({ base: before, serial: h.engine.serial, epoch: 1 });
    expect(deltas[0]!.records).toEqual({ 'app.example.test./A': ['198.51.100.10'] });
    expect(h.engine.overlay).toMatchObject({ serial: h.engine.serial, epoch: 1 });
    expect(h.engine.overlay.records['app.example.test./A']).toEqual(['198.51.100.10']);
    expect(h.engine.zoneState).not.toBe(zsBefore);
    expect(h.engine.zoneState.serial).toBe(h.engine.serial);
  });

  it('advanceSerial moves past a stored serial without changing answers', () => {
    const h = new Harness(config());
    const records = { ...h.engine.overlay.records };
    const serial = h.engine.serial;
    h.engine.advanceSerial(serial - 5, h.now);
    expect(h.engine.serial).toBe(serial);
    h.engine.advanceSerial(serial + 10, h.now);
    expect(h.engine.serial).toBe(serial + 11);
    expect(h.engine.state.serial).toBe(serial + 11);
    expect(h.engine.overlay.records).toEqual(records);
    expect(h.engine.zoneState.serial).toBe(serial + 11);
  });
});

describe('DecisionEngine: edges', () => {
  it('a region that never reports goes stale after the start, with a message saying so', () => {
    const h = new Harness(config());
    h.rounds(5, { primary: '++.', secondary: '++.' });
    const stale = h.ofType('region-stale');
    expect(stale.map((e) => e.region)).toEqual(['ap-south']);
    expect(stale[0]!.message).toContain('since the decider started');
  });

  it('a region no check runs in is never judged stale', () => {
    const cfg = config({ regions: ['us-east', 'eu-west', 'ap-south', 'idle'] });
    const h = new Harness(cfg);
    h.rounds(6, { primary: '+++', secondary: '+++' });
    expect(h.ofType('region-stale')).toHaveLength(0);
  });

  it('answers sharing one check are evaluated together', () => {
    const rec = failoverRecord({
      answers: [
        { name: 'primary', values: ['192.0.2.10'], check: 'primary' },
        { name: 'primary-v2', values: ['192.0.2.11'], check: 'primary' },
        { name: 'secondary', values: ['198.51.100.10'], check: 'secondary' },
      ],
    });
    const h = new Harness(config({ records: [rec] }));
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(2, { primary: '---', secondary: '+++' });
    expect(h.active()).toBe('secondary');
    expect(h.ofType('answer-switched')).toHaveLength(1);
  });
});

describe('DecisionEngine: review regressions', () => {
  const healthyReports = { primary: '+++', secondary: '+++' };

  it('a region back from staleness re-earns its vote instead of voting with its old state', () => {
    const h = new Harness(config());
    h.rounds(2, healthyReports);
    h.rounds(2, { primary: '..-', secondary: '+++' }); // ap-south sees the primary down…
    expect(h.engine.state.checks.primary!.regions['ap-south']!.state).toBe('down');
    h.rounds(6, { primary: '++.', secondary: '++.' }); // …then goes quiet and stale
    h.rounds(1, { primary: '-++', secondary: '+++' }); // back, reporting up; us-east has one failure
    expect(h.engine.state.checks.primary!.regions['ap-south']!.state).toBe('unknown');
    h.rounds(1, { primary: '-.+', secondary: '+.+' }); // us-east reaches fall = 2
    expect(h.engine.state.checks.primary!.regions['us-east']!.state).toBe('down');
    expect(h.active()).toBe('primary');
    expect(h.ofType('answer-switched')).toHaveLength(0);
  });

  it('does not fail back on stale evidence, e.g. right after a restart', () => {
    const h = new Harness(config({ records: [failoverRecord({ failbackAfter: 10_000 })] }));
    h.rounds(2, healthyReports);
    h.rounds(2, { primary: '---', secondary: '+++' });
    h.rounds(3, healthyReports);
    expect(h.engine.state.records['app.example.test./A']!.pendingFailback?.to).toBe('primary');
    const later = h.now + 600_000;
    const restarted = new DecisionEngine({
      config: h.config,
      state: h.engine.snapshot(),
      now: later,
      epoch: 2,
    });
    const out = restarted.tick(later);
    expect(out.events.filter((e) => e.type === 'answer-switched')).toHaveLength(0);
    expect(restarted.state.records['app.example.test./A']!.active).toEqual({
      kind: 'answer',
      name: 'secondary',
    });
    expect(restarted.state.records['app.example.test./A']!.healthySince.primary).toBeNull();
  });

  it('fails back to the best tier whose hold is over, while a better one is still held', () => {
    const rec = failoverRecord({
      failbackAfter: 10_000,
      flapDamping: null,
      answers: [
        { name: 'primary', values: ['192.0.2.10'], check: 'primary' },
        { name: 'secondary', values: ['198.51.100.10'], check: 'secondary' },
        { name: 'tertiary', values: ['203.0.113.10'], check: 'tertiary' },
      ],
    });
    const cfg = config({
      records: [rec],
      checks: ['primary', 'secondary', 'tertiary'].map((id) => httpCheck(id)),
    });
    const h = new Harness(cfg);
    h.rounds(2, { primary: '+++', secondary: '+++', tertiary: '+++' });
    h.rounds(2, { primary: '---', secondary: '---', tertiary: '+++' });
    expect(h.active()).toBe('tertiary');
    h.rounds(4, { primary: '---', secondary: '+++', tertiary: '+++' }); // secondary healthy first
    h.rounds(8, { primary: '+++', secondary: '+++', tertiary: '+++' }); // primary healthy 8 s later
    expect(h.active()).toBe('secondary');
    expect(h.engine.state.records['app.example.test./A']!.pendingFailback?.to).toBe('primary');
  });

  it('an operator approval fails back at once, also for a timed failback', () => {
    const h = new Harness(config({ records: [failoverRecord({ failbackAfter: 3_600_000 })] }));
    h.rounds(2, healthyReports);
    h.rounds(2, { primary: '---', secondary: '+++' });
    h.rounds(3, healthyReports);
    h.engine.approveFailback('app.example.test./A', actor, h.now);
    expect(h.active()).toBe('primary');
  });

  it('checks that went down long ago do not arm the mass-failure guard', () => {
    const h = new Harness(guardConfig(['a', 'b', 'c', 'd']));
    h.rounds(2, { a: '+++', b: '+++', c: '+++', d: '+++' });
    h.rounds(2, { a: '---', b: '---', c: '+++', d: '+++' }); // two legitimate outages (2 of 4: not more than half)
    h.rounds(70, { a: '---', b: '---', c: '+++', d: '+++' }); // …that last longer than the 60 s window
    h.rounds(2, { a: '---', b: '---', c: '---', d: '+++' }); // then one more check fails
    expect(h.ofType('guard-hold')).toHaveLength(0);
    expect(h.active('c.example.test./A')).toBe('secondary');
  });
});
