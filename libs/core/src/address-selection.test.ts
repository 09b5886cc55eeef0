import { describe, expect, it } from 'vitest';
import { capValues, tierHealth } from './address-health.js';
import type { AnswerConfig, FailoverRecordConfig } from './config-types.js';
import { applyDelta, materializeZoneState } from './overlay.js';
import { statusView } from './status-view.js';
import { config, failoverRecord, httpCheck } from './test-support/fixtures.js';
import { Harness } from './test-support/harness.js';

const A = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
const check = (v: string) => `web@${v}`;

function tier(minHealthy = 1, weights: number[] = [1, 1, 1]): AnswerConfig {
  return {
    name: 'primary',
    values: [...A],
    check: null,
    minHealthy,
    addresses: A.map((value, i) => ({ value, weight: weights[i]!, check: check(value) })),
  };
}

function record(over: Partial<FailoverRecordConfig> = {}, primary = tier()): FailoverRecordConfig {
  return failoverRecord({
    answers: [primary, { name: 'secondary', values: ['198.51.100.10'], check: null }],
    ...over,
  });
}

function harness(rec: FailoverRecordConfig): Harness {
  const h = new Harness(config({ checks: A.map((v) => httpCheck(check(v))), records: [rec] }));
  h.rounds(2, Object.fromEntries(A.map((v) => [check(v), '+++'])));
  return h;
}

/** Every address up except the listed ones, which every region sees down. */
function downs(h: Harness, down: string[], times = 3): void {
  h.rounds(times, Object.fromEntries(A.map((v) => [check(v), down.includes(v) ? '---' : '+++'])));
}

describe('health per address: selection (issue 14)', () => {
  it('serves the healthy addresses of the tier in config order, one event per change, no flip', () => {
    const h = harness(record());
    expect(h.values()).toEqual(A);
    downs(h, ['192.0.2.2']);
    expect(h.active()).toBe('primary');
    expect(h.values()).toEqual(['192.0.2.1', '192.0.2.3']);
    expect(h.served()).toEqual(['192.0.2.1', '192.0.2.3']);
    const ev = h.ofType('addresses-changed');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ severity: 'warning', record: 'app.example.test./A', from: 'primary' });
    expect(ev[0]!.message).toContain('dropped 192.0.2.2');
    expect(ev[0]!.serial).toBe(h.engine.zoneState.serial);
    expect(h.ofType('answer-switched')).toHaveLength(0);
    expect(h.engine.state.records['app.example.test./A']!.flips).toEqual([]);
    // The delta carries the new subset: DNS, IXFR and providers get it through the usual path.
    const delta = h.outputs.map((o) => o.delta).find((d) => d !== null)!;
    expect(delta.records['app.example.test./A']).toEqual(['192.0.2.1', '192.0.2.3']);
    downs(h, []);
    expect(h.values()).toEqual(A);
    expect(h.ofType('addresses-changed')).toHaveLength(2);
    expect(h.ofType('addresses-changed')[1]!.severity).toBe('info');
  });

  it('below minHealthy the next tier takes over; failback waits failbackAfter from confirmed up', () => {
    const h = harness(record({}, tier(2)));
    downs(h, ['192.0.2.1']);
    expect(h.active()).toBe('primary');
    expect(h.values()).toEqual(['192.0.2.2', '192.0.2.3']);
    downs(h, ['192.0.2.1', '192.0.2.3']);
    expect(h.active()).toBe('secondary');
    expect(h.values()).toEqual(['198.51.100.10']);
    expect(h.ofType('answer-switched').at(-1)!.evidence.kind).toBe('failover');
    // Two addresses back: the tier is up again, but failback holds for failbackAfter (60 s).
    downs(h, ['192.0.2.1'], 4);
    expect(h.active()).toBe('secondary');
    const pending = h.engine.state.records['app.example.test./A']!.pendingFailback;
    expect(pending?.to).toBe('primary');
    const dueAt = pending!.dueAt!;
    while (h.now < dueAt - 1000) downs(h, ['192.0.2.1'], 1);
    expect(h.active()).toBe('secondary');
    downs(h, ['192.0.2.1'], 2);
    expect(h.active()).toBe('primary');
    expect(h.values()).toEqual(['192.0.2.2', '192.0.2.3']);
  });

  it('every address down: whenAllDown primary serves the whole primary tier (fail open)', () => {
    const h = harness(record({ answers: [tier()] }));
    downs(h, A);
    expect(h.engine.state.records['app.example.test./A']!.allDown).toBe(true);
    expect(h.values()).toEqual(A);
  });

  it('caps the answer with maxAnswers, keeping the heaviest addresses in config order', () => {
    const rec = record({ maxAnswers: 2 }, tier(1, [1, 5, 3]));
    expect(capValues(rec, rec.answers[0]!, A)).toEqual(['192.0.2.2', '192.0.2.3']);
    const h = harness(rec);
    expect(h.values()).toEqual(['192.0.2.2', '192.0.2.3']);
    downs(h, ['192.0.2.2']);
    expect(h.values()).toEqual(['192.0.2.1', '192.0.2.3']);
    // A plain tier is capped too, in config order.
    const plain = failoverRecord({ maxAnswers: 1 });
    expect(capValues(plain, { name: 'x', values: ['a', 'b'], check: null }, ['a', 'b'])).toEqual(['a']);
  });

  it('an unknown address is eligible but not confirmed: it counts toward up, not toward failback', () => {
    const rec = record({}, tier(2));
    const t = tierHealth(rec, rec.answers[0]!, [
      { value: A[0]!, eligible: true, confirmed: true },
      { value: A[1]!, eligible: true, confirmed: false },
      { value: A[2]!, eligible: false, confirmed: false },
    ]);
    expect(t).toEqual({ eligible: true, confirmed: false, values: A.slice(0, 2), degraded: true });
  });

  it('adaptive TTL: serves degradedTtl while some addresses fail, through the overlay and its deltas', () => {
    const h = harness(record({ ttl: 300, degradedTtl: 30 }));
    const ov0 = h.engine.overlay;
    expect(ov0.ttls).toBeUndefined();
    downs(h, ['192.0.2.3']);
    const rs = h.engine.state.records['app.example.test./A']!;
    expect(rs).toMatchObject({ degraded: true, ttl: 30 });
    expect(h.engine.overlay.ttls).toEqual({ 'app.example.test./A': 30 });
    const rr = h.engine.zoneState.zones[0]!.rrsets.find((r) => r.name === 'app.example.test.')!;
    expect(rr.ttl).toBe(30);
    const delta = h.outputs.map((o) => o.delta).find((d) => d !== null)!;
    expect(delta.ttls).toEqual({ 'app.example.test./A': 30 });
    downs(h, []);
    expect(rs).toMatchObject({ degraded: false, ttl: null });
    expect(h.engine.overlay.ttls).toBeUndefined();
    const last = h.outputs
      .map((o) => o.delta)
      .filter((d) => d !== null)
      .at(-1)!;
    expect(last.ttls).toBeUndefined();
    expect(last.records['app.example.test./A']).toEqual(A);
  });

  it('adaptive TTL: one region failing a plain tier check degrades it too', () => {
    const rec = failoverRecord({ ttl: 300, degradedTtl: 20 });
    const h = new Harness(config({ records: [rec] }));
    h.rounds(2, { primary: '+++', secondary: '+++' });
    h.rounds(3, { primary: '-++', secondary: '+++' });
    expect(h.active()).toBe('primary');
    expect(h.engine.state.records[rec.id]).toMatchObject({ degraded: true, ttl: 20 });
    h.rounds(3, { primary: '+++', secondary: '+++' });
    expect(h.engine.state.records[rec.id]).toMatchObject({ degraded: false, ttl: null });
  });

  it('a delta without a TTL resets the record to its configured TTL', () => {
    const c = config({ records: [failoverRecord({ ttl: 300 })] });
    const ov = { serial: 1, epoch: 1, generatedAt: 0, records: {}, ttls: { 'app.example.test./A': 30 } };
    const next = applyDelta(ov, {
      base: 1,
      serial: 2,
      epoch: 1,
      generatedAt: 1,
      records: { 'app.example.test./A': ['192.0.2.9'] },
    })!;
    expect(next.ttls).toBeUndefined();
    expect(materializeZoneState(c, ov).zones[0]!.rrsets.at(-1)!.ttl).toBe(30);
    expect(materializeZoneState(c, next).zones[0]!.rrsets.at(-1)!.ttl).toBe(300);
  });
});

describe('adaptive TTL: effectiveBy and the status view (issue 14)', () => {
  it('a failover from a degraded record drains within the degraded TTL it served', () => {
    const h = harness(
      record({
        ttl: 300,
        degradedTtl: 30,
        answers: [tier(2), { name: 'secondary', values: ['198.51.100.10'], check: null }],
      }),
    );
    downs(h, ['192.0.2.1']);
    const rs = h.engine.state.records['app.example.test./A']!;
    expect(rs.ttl).toBe(30);
    let view = statusView(h.config, h.engine.state, h.now).records[0]!;
    expect(view).toMatchObject({ ttl: 300, ttlNow: 30, degraded: true, active: 'primary' });
    // Long after the short TTL started, the primary tier falls below minHealthy.
    for (let i = 0; i < 300; i++) downs(h, ['192.0.2.1'], 1);
    downs(h, ['192.0.2.1', '192.0.2.2']);
    expect(h.active()).toBe('secondary');
    const at = h.now;
    h.engine.markPublished('dns', h.engine.zoneState.serial, at);
    // Every cache fetched the primary with TTL 30 for the last 300 s: drained 30 s after the publish.
    expect(rs.effectiveBy.dns).toBe(at + 30_000);
    view = statusView(h.config, h.engine.state, h.now).records[0]!;
    expect(view).toMatchObject({ ttlNow: 300, degraded: false, active: 'secondary' });
  });
});

describe('restart (issue 14)', () => {
  it('keeps the served subset of a tier across a restart: no event, same values', () => {
    const rec = record();
    const h = harness(rec);
    downs(h, ['192.0.2.2']);
    expect(h.values()).toEqual(['192.0.2.1', '192.0.2.3']);
    const again = new Harness(h.config, { state: structuredClone(h.engine.state), now: h.now });
    expect(again.values()).toEqual(['192.0.2.1', '192.0.2.3']);
    again.rounds(2, Object.fromEntries(A.map((v) => [check(v), v === '192.0.2.2' ? '---' : '+++'])));
    expect(again.ofType('addresses-changed')).toEqual([]);
  });
});
