/**
 * Issue #10 §3: a decision's events are stored with it, seqs never repeat across leaders, and nothing is
 * written after the grant ends. Real MemoryStateStore and MemoryLease; faults are injected by wrapping them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import type { DecisionEvent, Lease, LeaseGrant, ProbeResult, StateStore } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { DeciderRole } from './decider-role.js';
import { twoTierYaml } from './test-support/two-tier-config.js';

const { config } = parseConfig(twoTierYaml({ ttl: 1, failbackAfter: '300ms' }));
const RECORD = 'app.example.test./A';
const WRITES = new Set(['commit', 'saveDecider', 'writeZoneState', 'appendEvents', 'saveTargetStatus']);

let seq = 0;
const result = (checkId: string, region: string, ok: boolean): ProbeResult => ({
  checkId,
  region,
  ok,
  probeId: `probe-${region}`,
  seq: ++seq,
  observedAt: Date.now(),
  timings: { total: 1 },
  ...(ok ? {} : { reason: 'connect' as const }),
});

async function publish(bus: MemoryResultsBus, regions: string[], results: [string, boolean][]) {
  for (const region of regions) {
    await bus.publish({
      probeId: `probe-${region}`,
      region,
      sentAt: Date.now(),
      results: results.map(([c, ok]) => result(c, region, ok)),
    });
  }
}

/** A store whose methods can be replaced one by one; the rest go to the real store. */
function intercept(
  inner: StateStore,
  hook: (name: string, call: () => Promise<unknown>) => Promise<unknown>,
) {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => Promise<unknown>).bind(target);
      return (...args: unknown[]) => hook(String(prop), () => fn(...args));
    },
  });
}

async function storedEvents(store: StateStore): Promise<DecisionEvent[]> {
  return (await store.readEvents({ limit: 1000 })).reverse();
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open() {
  const memory = await MemoryStateStore.open({});
  cleanups.push(() => memory.close());
  return memory;
}

describe('DeciderRole: decisions and their events are stored together', () => {
  it('a failed read of publications mid-tick loses none of the tick’s events', async () => {
    const memory = await open();
    let failPubs = false;
    const store = intercept(memory, (name, call) =>
      name === 'readPublications' && failPubs ? Promise.reject(new Error('redis: connection lost')) : call(),
    );
    const bus = new MemoryResultsBus({});
    const lease = new MemoryLease({ store: memory, ttlMs: 60_000 });
    const role = await DeciderRole.start({
      config,
      store,
      bus,
      lease,
      clock: Date,
      logger: recordingLogger(),
    });
    cleanups.push(
      () => bus.close(),
      () => role.close(),
    );
    const active = () => JSON.stringify(role.engine.state.records[RECORD]!.active);
    await publish(
      bus,
      ['a', 'b', 'c'],
      [
        ['p', true],
        ['s', true],
      ],
    );
    await publish(bus, ['a', 'b'], [['p', false]]);
    await waitFor(() => active() === JSON.stringify({ kind: 'answer', name: 'secondary' }), {
      timeoutMs: 5000,
      what: 'the failover',
    });
    // Every publication read fails while the failback is decided (by a tick, once failbackAfter passed).
    failPubs = true;
    await publish(bus, ['a', 'b'], [['p', true]]);
    await waitFor(() => active() === JSON.stringify({ kind: 'answer', name: 'primary' }), {
      timeoutMs: 5000,
      what: 'the failback',
    });
    failPubs = false;
    const serial = role.engine.serial;
    await waitFor(async () => (await memory.readOverlay())?.serial === serial, {
      timeoutMs: 5000,
      what: 'the failback zone state',
    });
    const events = await storedEvents(memory);
    const failbacks = events.filter((e) => e.type === 'answer-switched' && e.to === 'primary');
    expect(failbacks).toHaveLength(1);
    // Every seq the engine handed out is stored, once.
    expect(events.map((e) => e.seq)).toEqual(
      Array.from({ length: role.engine.state.eventSeq }, (_, i) => i + 1),
    );
  });

  it('a leader that dies right after raising events: the next one stores its events with new seqs', async () => {
    const memory = await open();
    let dead = false;
    // After death, nothing the old leader writes arrives: its process is gone.
    const store = intercept(memory, (name, call) =>
      dead && WRITES.has(name) ? new Promise<never>(() => undefined) : call(),
    );
    const busA = new MemoryResultsBus({});
    const leaseA = new MemoryLease({ store: memory, holder: 'a', ttlMs: 60_000 });
    const a = await DeciderRole.start({
      config,
      store,
      bus: busA,
      lease: leaseA,
      clock: Date,
      logger: recordingLogger(),
      saveInterval: 10_000,
    });
    cleanups.push(() => busA.close());
    const raised = await a.raise({
      type: 'drill-started',
      severity: 'info',
      message: 'drill',
      evidence: {},
    });
    dead = true;
    void a.close(); // stops its timers; its writes never complete
    await leaseA.release(); // the grant runs out
    const bus = new MemoryResultsBus({});
    const lease = new MemoryLease({ store: memory, holder: 'b', ttlMs: 60_000 });
    const b = await DeciderRole.start({
      config,
      store: memory,
      bus,
      lease,
      clock: Date,
      logger: recordingLogger(),
      announce: true,
    });
    cleanups.push(
      () => bus.close(),
      () => b.close(),
    );
    const events = await storedEvents(memory);
    const lastOfA = raised.events[0]!.seq;
    expect(events.at(-1)!.type).toBe('leader-acquired');
    expect(events.find((e) => e.type === 'drill-started')?.seq).toBe(lastOfA);
    const acquired = events.at(-1)!;
    expect(acquired.evidence).toMatchObject({ holder: 'b' });
    expect(acquired.seq).toBe(lastOfA + 1);
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
  });
});

describe('DeciderRole: nothing is written after the grant ends', () => {
  it('stops writing before the grant expires when renewals fail, between renewal attempts too', async () => {
    const memory = await open();
    const writes: number[] = [];
    const store = intercept(memory, (name, call) => {
      if (WRITES.has(name)) writes.push(Date.now());
      return call();
    });
    const real = new MemoryLease({ store: memory, ttlMs: 1_200 });
    let grant: LeaseGrant | null = null;
    let broken = false;
    const lease: Lease = {
      acquire: async () => (grant = await real.acquire()),
      renew: async () => {
        if (broken) throw new Error('redis: connect ECONNREFUSED');
        return (grant = await real.renew()) ?? null;
      },
      release: () => real.release(),
      close: () => real.close(),
    };
    const bus = new MemoryResultsBus({});
    const downs: string[] = [];
    const role = await DeciderRole.start({
      config,
      store,
      bus,
      lease,
      clock: Date,
      logger: recordingLogger(),
      onStandDown: (r) => downs.push(r),
    });
    cleanups.push(
      () => bus.close(),
      () => role.close(),
    );
    broken = true;
    const until = Date.now() + 4_000;
    // Decisions keep coming (an operator, a tick): each one wants to write.
    while (role.ready && Date.now() < until) {
      await role.raise({ type: 'drill-started', severity: 'info', message: 'drill', evidence: {} });
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => downs.length > 0, { timeoutMs: 5000, what: 'the stand-down' });
    const expiry = grant!.expiresAt;
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((t) => t >= expiry)).toEqual([]);
  });
});
