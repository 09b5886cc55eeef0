import { TransientError } from '@understudy/core';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, testConfig, zoneState, ZONE } from './test-support/fixtures.js';
import { eventTypes, rig, type Rig } from './test-support/setup.js';

const cfg = testConfig(['app', 'api']);
let open: Rig | null = null;
const make = async (...args: Parameters<typeof rig>) => (open = await rig(...args));
afterEach(async () => {
  await open?.mgr.close();
  open = null;
});

describe('SyncManager', () => {
  it('applies a zone state to every target, reports it and persists each status', async () => {
    const r = await make(cfg);
    r.mgr.notify(zoneState(1, { app: ['192.0.2.1'], api: ['192.0.2.1'] }));
    await r.mgr.idle();
    expect(r.values('dns', 'app')).toEqual(['192.0.2.1']);
    expect(r.values('other', 'api')).toEqual(['192.0.2.1']);
    expect(eventTypes(r).sort()).toEqual(['sync-applied', 'sync-applied']);
    expect(r.published.sort((a, b) => a.target.localeCompare(b.target))).toEqual([
      { target: 'dns', serial: 1, at: r.timers.now },
      { target: 'other', serial: 1, at: r.timers.now },
    ]);
    const saved = await r.store.readTargetStatuses();
    expect(saved.map((s) => [s.target, s.type, s.appliedSerial, s.inSync, s.attempts, s.lastError])).toEqual([
      ['dns', 'builtin', 1, true, 0, null],
      ['other', 'builtin', 1, true, 0, null],
    ]);
    expect(saved[0]!.lastPlan?.[0]?.creates).toHaveLength(2);
  });

  it('applies only the latest desired state: changes during an apply coalesce', async () => {
    const r = await make(cfg, ['dns']);
    const p = r.providers.dns!;
    const gate = deferred();
    p.gate = gate.promise;
    r.mgr.notify(zoneState(1, { app: ['192.0.2.1'], api: ['192.0.2.1'] }));
    await new Promise((res) => setImmediate(res));
    for (let s = 2; s <= 6; s++) r.mgr.notify(zoneState(s, { app: [`198.51.100.${s}`], api: ['192.0.2.1'] }));
    r.mgr.notify(zoneState(3, { app: ['203.0.113.3'], api: ['192.0.2.1'] })); // stale: ignored
    gate.resolve();
    p.gate = null;
    await r.mgr.idle();
    expect(p.applied.map((plan) => plan.creates.length + plan.updates.length)).toEqual([2, 1]);
    expect(r.values('dns', 'app')).toEqual(['198.51.100.6']);
    expect(r.published.map((x) => x.serial)).toEqual([1, 6]);
    expect(r.mgr.statuses()[0]?.appliedSerial).toBe(6);
  });

  it('a failing target backs off with jitter and never blocks the others', async () => {
    const r = await make(cfg);
    r.providers.other!.failRead = new TransientError('throttled');
    r.mgr.notify(zoneState(1, { app: ['192.0.2.1'], api: ['192.0.2.1'] }));
    await r.mgr.idle();
    expect(r.values('dns', 'app')).toEqual(['192.0.2.1']);
    const t0 = r.timers.now;
    let other = r.mgr.statuses()[1]!;
    // attempt 0, base 1000 ms, random 0.5 → 500 ms.
    expect([other.attempts, other.nextRetryAt, other.lastError?.message, other.inSync]).toEqual([
      1,
      t0 + 500,
      'throttled',
      false,
    ]);
    expect(eventTypes(r, 'other')).toEqual(['sync-failed']);

    // While other backs off, dns keeps following the zone state.
    r.mgr.notify(zoneState(2, { app: ['198.51.100.2'], api: ['192.0.2.1'] }));
    await r.mgr.idle();
    expect(r.values('dns', 'app')).toEqual(['198.51.100.2']);
    expect(r.providers.other!.applied).toEqual([]);

    r.timers.advance(500);
    await r.mgr.idle();
    other = r.mgr.statuses()[1]!;
    expect([other.attempts, other.nextRetryAt]).toEqual([2, t0 + 500 + 1000]);
    expect(eventTypes(r, 'other')).toEqual(['sync-failed']); // one event per failure streak

    r.providers.other!.failRead = null;
    r.timers.advance(1000);
    await r.mgr.idle();
    expect(r.values('other', 'app')).toEqual(['198.51.100.2']);
    other = r.mgr.statuses()[1]!;
    expect([other.attempts, other.nextRetryAt, other.lastError, other.appliedSerial]).toEqual([
      0,
      null,
      null,
      2,
    ]);
    expect(eventTypes(r, 'other')).toEqual(['sync-failed', 'sync-applied']);
    expect((await r.store.readTargetStatuses()).find((s) => s.target === 'other')?.appliedSerial).toBe(2);
  });

  it('honours a TransientError retry-after and reports failed changes as a failure', async () => {
    const r = await make(cfg, ['dns']);
    r.providers.dns!.failApply = new TransientError('slow down', 7000);
    r.mgr.notify(zoneState(1, { app: ['192.0.2.1'], api: ['192.0.2.1'] }));
    await r.mgr.idle();
    expect(r.mgr.statuses()[0]!.nextRetryAt).toBe(r.timers.now + 7000);
    r.providers.dns!.failApply = null;
    r.timers.advance(7000);
    await r.mgr.idle();
    expect(r.mgr.statuses()[0]!.inSync).toBe(true);
    expect(eventTypes(r)).toEqual(['sync-failed', 'sync-applied']);
  });

  it('a change the provider reports as failed is retried', async () => {
    const r = await make(cfg, ['dns']);
    r.mgr.notify(zoneState(1, { app: ['192.0.2.1'], api: ['192.0.2.1'] }));
    await r.mgr.idle();
    // Make the next plan's update fail: the record vanishes between read and apply.
    const gate = deferred();
    r.providers.dns!.gate = gate.promise;
    r.mgr.notify(zoneState(2, { app: ['198.51.100.2'], api: ['192.0.2.1'] }));
    await new Promise((res) => setImmediate(res));
    await r.stores.dns!.apply({
      target: 'dns',
      zone: ZONE,
      creates: [],
      updates: [],
      deletes: [{ name: `app.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.1'] }],
      conflicts: [],
    });
    r.providers.dns!.gate = null;
    gate.resolve();
    await r.mgr.idle();
    const st = r.mgr.statuses()[0]!;
    expect(st.lastError?.message).toContain(
      `1 of 1 changes failed in ${ZONE} (app.${ZONE} A: record not found)`,
    );
    expect(st.lastError?.kind).toBe('TransientError');
    r.timers.advance(st.nextRetryAt! - r.timers.now);
    await r.mgr.idle();
    expect(r.values('dns', 'app')).toEqual(['198.51.100.2']);
  });

  it('the periodic reconcile repairs drift and reports it', async () => {
    const r = await make(cfg, ['dns']);
    r.mgr.notify(zoneState(1, { app: ['192.0.2.1'], api: ['192.0.2.1'] }));
    await r.mgr.idle();
    r.timers.advance(60_000);
    await r.mgr.idle();
    expect(eventTypes(r)).toEqual(['sync-applied']); // nothing drifted yet
    r.stores.dns!.edit(ZONE, { name: `app.${ZONE}`, type: 'A', ttl: 60, values: ['203.0.113.66'] });
    r.timers.advance(60_000);
    await r.mgr.idle();
    expect(r.values('dns', 'app')).toEqual(['192.0.2.1']);
    expect(eventTypes(r)).toEqual(['sync-applied', 'sync-drift', 'sync-applied']);
    const drift = r.events[1]!;
    expect(drift.severity).toBe('warning');
    expect(JSON.stringify(drift.evidence)).toContain('203.0.113.66');
    // Repairing drift does not re-publish the serial: the decider's publishedAt stays the first one.
    expect(r.published).toHaveLength(1);
  });

  it('foreign records at a desired name raise one conflict event and stay untouched', async () => {
    const r = await make(cfg, ['dns']);
    const theirs = { name: `api.${ZONE}`, type: 'A' as const, ttl: 300, values: ['203.0.113.9'] };
    r.stores.dns!.seed(ZONE, [theirs]);
    r.mgr.notify(zoneState(1, { app: ['192.0.2.1'], api: ['192.0.2.1'] }));
    await r.mgr.idle();
    r.timers.advance(60_000);
    await r.mgr.idle();
    expect(eventTypes(r)).toEqual(['sync-conflict', 'sync-applied']);
    expect(r.events[0]!.message).toContain(`api.${ZONE} A`);
    expect(r.values('dns', 'api')).toEqual(['203.0.113.9']);
    expect(r.values('dns', 'app')).toEqual(['192.0.2.1']);
  });
});
