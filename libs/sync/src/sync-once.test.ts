import { NotFoundError } from '@understudy/core';
import { MemoryStateStore } from '@understudy/backends';
import { recordingLogger } from '@understudy/testkit/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncManager } from './sync-manager.js';
import { deferred, testConfig, zoneState } from './test-support/fixtures.js';
import { eventTypes, rig, type Rig } from './test-support/setup.js';

const cfg = testConfig(['app', 'api']);
const both = (app: string[], api = ['192.0.2.1']) => ({ app, api });
let open: Rig | null = null;
const make = async (...args: Parameters<typeof rig>) => (open = await rig(...args));
afterEach(async () => {
  await open?.mgr.close();
  open = null;
});

describe('SyncManager: safety, restart, one-shot runs', () => {
  it('refuses an unsafe plan with an event carrying the plan, then applies it when forced', async () => {
    const r = await make(cfg, ['dns']);
    r.mgr.notify(zoneState(1, both(['192.0.2.1'])));
    await r.mgr.idle();
    // whenAllDown none: app serves nothing, so the plan deletes its last answer.
    r.mgr.notify(zoneState(2, { app: [], api: ['192.0.2.1'] }));
    await r.mgr.idle();
    r.timers.advance(60_000); // the periodic reconcile refuses again, without a second event
    await r.mgr.idle();
    expect(r.values('dns', 'app')).toEqual(['192.0.2.1']);
    expect(eventTypes(r)).toEqual(['sync-applied', 'plan-refused']);
    const refused = r.events[1]!;
    expect(refused.evidence.violations).toEqual([
      { kind: 'deletes-last-answer', message: 'dns: plan deletes the last answer of app.example.test. A' },
    ]);
    expect(JSON.stringify(refused.evidence.plans)).toContain('"deletes":[{"name":"app.example.test."');
    const st = r.mgr.statuses()[0]!;
    expect([st.appliedSerial, st.inSync, st.lastError?.kind, st.nextRetryAt]).toEqual([
      1,
      false,
      'UnsafePlanError',
      null,
    ]);

    const [res] = await r.mgr.force('dns');
    expect(res!.outcome).toBe('applied');
    expect(r.values('dns', 'app')).toBeNull();
    expect(r.mgr.statuses()[0]!.appliedSerial).toBe(2);
    // The force was one-shot: the next unsafe plan is refused again.
    r.mgr.notify(zoneState(3, { app: [], api: [] }));
    await r.mgr.idle();
    expect(r.values('dns', 'api')).toEqual(['192.0.2.1']);
    expect(eventTypes(r)).toEqual(['sync-applied', 'plan-refused', 'sync-applied', 'plan-refused']);
  });

  it('config allowUnsafe applies unsafe plans without force', async () => {
    const r = await make(testConfig(['app', 'api'], { allowUnsafe: true }), ['dns']);
    r.mgr.notify(zoneState(1, both(['192.0.2.1'])));
    await r.mgr.idle();
    expect(r.values('dns', 'app')).toEqual(['192.0.2.1']);
    r.mgr.notify(zoneState(2, { app: [], api: ['192.0.2.1'] }));
    await r.mgr.idle();
    expect(r.values('dns', 'app')).toBeNull();
    expect(eventTypes(r)).toEqual(['sync-applied', 'sync-applied']);
  });

  it('status survives a restart: the new manager resumes from it and does not republish', async () => {
    const store = await MemoryStateStore.open();
    const r = await make(cfg, ['dns'], store);
    r.mgr.notify(zoneState(4, both(['192.0.2.1'])));
    await r.mgr.idle();
    const before = r.mgr.statuses()[0]!;
    const mgr = await r.restart();
    expect(mgr.statuses()[0]).toEqual(before);
    mgr.notify(zoneState(4, both(['192.0.2.1'])));
    await mgr.idle();
    expect(r.published.map((p) => p.serial)).toEqual([4]);
    expect(r.providers.dns!.applied).toHaveLength(1);
    expect(mgr.statuses()[0]!.lastReconcileAt).toBe(r.timers.now);
  });

  it('planOnce plans every target without applying, and names a failing target', async () => {
    const r = await make(cfg);
    r.providers.other!.failRead = new Error('cloudflare target "other": bad token');
    const out = await r.mgr.planOnce(zoneState(1, both(['192.0.2.1'])));
    expect(
      out.map((o) => [o.target, o.plans[0]?.creates.length ?? null, o.safety.safe, o.error ?? null]),
    ).toEqual([
      ['dns', 2, true, null],
      ['other', null, true, 'cloudflare target "other": bad token'],
    ]);
    expect(r.providers.dns!.applied).toEqual([]);
  });

  it('syncOnce reads the stored zone state when none was notified, and rejects unknown targets', async () => {
    const store = await MemoryStateStore.open();
    const r = await make(cfg, ['dns', 'other'], store);
    await expect(r.mgr.syncOnce()).rejects.toThrow('there is no zone state yet');
    const overlay = {
      serial: 9,
      epoch: 1,
      generatedAt: 9,
      records: { 'app.example.test./A': ['198.51.100.9'], 'api.example.test./A': ['192.0.2.1'] },
    };
    expect((await store.writeOverlay({ kind: 'full', overlay })).ok).toBe(true);
    await expect(r.mgr.syncOnce({ target: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
    const res = await r.mgr.syncOnce({ target: 'other' });
    expect(res.map((x) => [x.target, x.outcome, x.serial, x.reports.length])).toEqual([
      ['other', 'applied', 9, 1],
    ]);
    expect(r.values('other', 'app')).toEqual(['198.51.100.9']);
    expect(r.values('dns', 'app')).toBeNull();
    const again = await r.mgr.syncOnce({ target: 'other' });
    expect(again[0]!.outcome).toBe('in-sync');
  });

  it('close waits for the apply in flight and stops the timers', async () => {
    const r = await make(cfg, ['dns']);
    const gate = deferred();
    r.providers.dns!.gate = gate.promise;
    r.mgr.notify(zoneState(1, both(['192.0.2.1'])));
    await new Promise((res) => setImmediate(res));
    let closed = false;
    const closing = r.mgr.close().then(() => (closed = true));
    await new Promise((res) => setImmediate(res));
    expect(closed).toBe(false);
    gate.resolve();
    await closing;
    expect(r.values('dns', 'app')).toEqual(['192.0.2.1']);
    expect(r.timers.count).toBe(0);
    r.mgr.notify(zoneState(2, both(['198.51.100.2'])));
    await r.mgr.idle();
    expect(r.values('dns', 'app')).toEqual(['192.0.2.1']);
  });

  it('refuses two providers with one name', async () => {
    const r = await make(cfg, ['dns']);
    const p = r.providers.dns!;
    expect(
      () =>
        new SyncManager({
          providers: [p, p],
          config: cfg,
          store: r.store,
          clock: r.timers.clock,
          random: { next: () => 0 },
          logger: recordingLogger(),
          onEvent: () => undefined,
          onPublished: () => undefined,
          epoch: () => 1,
        }),
    ).toThrow('two targets are named "dns"');
  });
});
