/**
 * Issue #10: a probe's own failure never votes. Descriptor exhaustion turned `connect EMFILE` into down
 * votes and failed over a healthy record; a results batch for region "__proto__" polluted Object.prototype.
 */
import { describe, expect, it } from 'vitest';
import { applyResult, newRegionHealth } from './hysteresis.js';
import type { ProbeHealth, ResultBatch } from './results.js';
import { batch, config, REGIONS, result } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';
import type { RegionVote } from './events.js';
import { regionVotes } from './verdict.js';
import { probedChecks } from './check-kinds.js';

const EMFILE = {
  reason: 'probe-error',
  message: 'probe out of resources during connect: connect EMFILE',
} as const;

describe('hysteresis: a probe-error neither counts nor resets', () => {
  it('keeps state and counters, and does not refresh the vote', () => {
    const h = newRegionHealth();
    const t = { fall: 2, rise: 2 };
    applyResult(h, result('c', 'r', true, 10), t, 100);
    applyResult(h, result('c', 'r', true, 11), t, 101);
    applyResult(h, result('c', 'r', false, 12), t, 102);
    expect(h).toMatchObject({ state: 'up', consecutiveFail: 1, consecutiveOk: 0, lastReceivedAt: 102 });
    const out = applyResult(h, result('c', 'r', false, 13, EMFILE), t, 103);
    expect(out).toEqual({ accepted: true, changed: false });
    expect(h).toMatchObject({ state: 'up', consecutiveFail: 1, consecutiveOk: 0, lastReceivedAt: 102 });
    expect(h.last).toMatchObject({ reason: 'probe-error', message: EMFILE.message });
    // The next real failure continues the count: the probe-error reset nothing.
    applyResult(h, result('c', 'r', false, 14), t, 104);
    expect(h.state).toBe('down');
  });
});

/** Ingests like a probe's batch, keeping the events in the harness's timeline. */
function feed(hx: Harness, b: ResultBatch) {
  const out = hx.engine.ingest(b, hx.now);
  hx.events.push(...out.events);
  return out;
}

function emfileRound(hx: Harness, checks: string[]): void {
  for (const region of REGIONS) {
    const results = checks.map((c) => result(c, region, false, hx.now, EMFILE));
    feed(hx, batch(region, results));
  }
  hx.advance(1000);
  hx.tick();
}

describe('DecisionEngine: probe-errors do not vote', () => {
  it('every probe failing with EMFILE does not fail over a healthy record', () => {
    const hx = new Harness(config());
    hx.rounds(3, { primary: '+++', secondary: '+++' });
    expect(hx.engine.state.checks.primary!.verdict).toBe('up');
    for (let i = 0; i < 10; i++) emfileRound(hx, ['primary', 'secondary']);
    expect(hx.engine.state.checks.primary!.verdict).toBe('up');
    expect(hx.ofType('answer-switched')).toEqual([]);
    expect(hx.active()).toBe('primary');
    // The evidence says why the regions do not count.
    const held = hx.ofType('quorum-insufficient')[0]!;
    const votes = (held.evidence.checks as { votes: RegionVote[] }[])[0]!.votes;
    expect(votes.find((v) => v.region === 'us-east')).toMatchObject({ reason: 'probe-error' });
    const ctx = { now: hx.now, staleAfterIntervals: 3, minVoters: 2 };
    const now = regionVotes(probedChecks(hx.config.checks)[0]!, hx.engine.state.checks.primary!, ctx);
    expect(now.every((v) => v.reason === 'probe-error' && /EMFILE/.test(v.notVoting ?? ''))).toBe(true);
  });

  it('a region whose probe errs stops voting at once, and real failures elsewhere still fail over', () => {
    const hx = new Harness(config());
    hx.rounds(3, { primary: '+++', secondary: '+++' });
    // us-east's probe is out of descriptors; eu-west and ap-south really see primary down.
    for (let i = 0; i < 3; i++) {
      feed(hx, batch('us-east', [result('primary', 'us-east', false, hx.now, EMFILE)]));
      hx.rounds(1, { primary: '.--', secondary: '.++' });
    }
    expect(hx.engine.state.checks.primary!.verdict).toBe('down');
    expect(hx.active()).toBe('secondary');
    const down = hx.ofType('verdict-changed').find((e) => e.to === 'down')!;
    expect(down.message).toMatch(/2 of 2 fresh regions/);
  });
});

const sick: ProbeHealth = { eventLoopDelay: 5, openFds: 1020, fdLimit: 1024, probeErrors: 0 };
const well: ProbeHealth = { eventLoopDelay: 5, openFds: 40, fdLimit: 1024, probeErrors: 0 };

describe('DecisionEngine: probe health', () => {
  it('a region whose probe reports itself unhealthy stops voting until healthy, then earns its vote again', () => {
    const hx = new Harness(config({ decider: { minVoters: 1 } }));
    hx.rounds(3, { primary: '+++', secondary: '+++' });
    const withHealth = (region: string, ok: boolean, health: ProbeHealth): ResultBatch => ({
      ...batch(region, [result('primary', region, ok, hx.now)]),
      health,
    });
    // Two regions' probes are starved and report failures; the third still sees primary up.
    for (let i = 0; i < 3; i++) {
      for (const r of ['us-east', 'eu-west']) feed(hx, withHealth(r, false, sick));
      feed(hx, withHealth('ap-south', true, well));
      hx.advance(1000);
      hx.tick();
    }
    expect(hx.engine.state.checks.primary!.verdict).toBe('up');
    const unhealthy = hx.events.filter((e) => e.type === 'probe-unhealthy');
    expect(unhealthy.map((e) => e.region).sort()).toEqual(['eu-west', 'us-east']);
    expect(unhealthy[0]!.message).toMatch(/1020 of 1024 file descriptors/);
    // Healthy again: one failure each is not yet a vote (fall 2, counters restarted).
    for (const r of ['us-east', 'eu-west']) feed(hx, withHealth(r, false, well));
    expect(hx.events.filter((e) => e.type === 'probe-healthy')).toHaveLength(2);
    expect(hx.engine.state.checks.primary!.regions['us-east']).toMatchObject({ consecutiveFail: 1 });
    expect(hx.engine.state.checks.primary!.verdict).toBe('up');
  });
});

describe('DecisionEngine: hostile ids', () => {
  it('a batch for region "__proto__" or check "constructor" leaves Object.prototype and state untouched', () => {
    const hx = new Harness(config());
    hx.rounds(3, { primary: '+++', secondary: '+++' });
    const before = JSON.stringify(hx.engine.state);
    const proto = JSON.parse(
      '{"probeId":"p","region":"__proto__","sentAt":1,"results":[{"checkId":"primary","region":"__proto__","probeId":"p","seq":1,"observedAt":1,"ok":false,"timings":{"total":1}}]}',
    ) as ResultBatch;
    const out = hx.engine.ingest(proto, hx.now);
    expect(out.stats).toMatchObject({ accepted: 0, unknown: 1 });
    const ctor = batch('us-east', [result('constructor', 'us-east', false, hx.now)]);
    expect(hx.engine.ingest({ ...ctor, probeId: '__proto__' }, hx.now).stats.unknown).toBe(1);
    expect(hx.engine.ingest(ctor, hx.now).stats).toMatchObject({ accepted: 0, unknown: 1 });
    for (const key of ['lastSeenAt', 'stale', 'region', 'configHash', 'mismatch']) {
      expect(Object.prototype).not.toHaveProperty(key);
    }
    type State = typeof hx.engine.state;
    const was = JSON.parse(before) as State;
    const after = JSON.parse(JSON.stringify(hx.engine.state)) as State;
    // Only us-east's lastSeenAt and its probe moved (the "constructor" batch came from a real region).
    after.regions['us-east']!.lastSeenAt = was.regions['us-east']!.lastSeenAt;
    after.probes!['probe-us-east']!.lastSeenAt = was.probes!['probe-us-east']!.lastSeenAt;
    expect(after).toEqual(was);
  });
});
