import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import type { ProbeResult } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { DeciderLeadership } from './leadership.js';
import { twoTierYaml } from './test-support/two-tier-config.js';

const { config } = parseConfig(twoTierYaml({ pFall: 2 }));
const RECORD = 'app.example.test./A';

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

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(opts: { offset?: { ms: number } } = {}) {
  const store = await MemoryStateStore.open({});
  const clock = { now: () => Date.now() + (opts.offset?.ms ?? 0) };
  const buses: MemoryResultsBus[] = [];
  const make = (name: string) => {
    const changes: boolean[] = [];
    const l = DeciderLeadership.start({
      config,
      store,
      lease: new MemoryLease({ store, holder: name, clock, ttlMs: 600 }),
      clock,
      logger: recordingLogger(),
      acquireInterval: 50,
      configHash: 'hash-1',
      openBus: () => {
        const bus = new MemoryResultsBus({});
        buses.push(bus);
        return Promise.resolve(bus);
      },
      onChange: (leading) => changes.push(leading),
    });
    cleanups.push(() => l.close());
    return { l, changes };
  };
  cleanups.push(() => store.close());
  return { store, buses, make };
}

describe('DeciderLeadership', () => {
  it('one of two deciders leads; when it stops, the other takes over and resumes the stored state', async () => {
    const { store, buses, make } = await cluster();
    const a = make('a');
    await waitFor(() => a.l.leading, { timeoutMs: 5000, what: 'a to lead' });
    const b = make('b');
    // Half-way through a failover: one failure of fall 2 in two regions.
    const publish = async (ok: boolean) => {
      for (const region of ['a', 'b', 'c'])
        await buses.at(-1)!.publish({
          probeId: `probe-${region}`,
          region,
          sentAt: Date.now(),
          configHash: 'hash-1',
          results: [result('p', region, ok || region === 'c'), result('s', region, true)],
        });
    };
    await publish(true);
    await publish(false);
    await waitFor(() => a.l.role!.engine.state.checks.p!.regions.a!.consecutiveFail === 1, {
      timeoutMs: 5000,
      what: 'the first failure',
    });
    // The debounced save reaches the store while a still leads.
    await waitFor(async () => (await store.loadDecider())?.checks.p?.regions.a?.consecutiveFail === 1, {
      timeoutMs: 5000,
      what: 'the decider state saved with the first failure',
    });
    expect(b.l.leading).toBe(false);
    await a.l.close();
    await waitFor(() => b.l.leading, { timeoutMs: 5000, what: 'b to take over' });
    // b resumed the hysteresis: one more failure completes the failover.
    expect(b.l.role!.engine.state.checks.p!.regions.a!.consecutiveFail).toBe(1);
    await publish(false);
    await waitFor(
      () =>
        b.l.role!.engine.state.records[RECORD]!.active.kind === 'answer' &&
        b.l.role!.engine.state.records[RECORD]!.active.name === 'secondary',
      {
        timeoutMs: 5000,
        what: 'the failover to complete under b',
      },
    );
    const events = await store.readEvents({ limit: 100 });
    const acquired = events
      .filter((e) => e.type === 'leader-acquired')
      .map((e) => e.evidence.epoch as number);
    expect(acquired).toHaveLength(2);
    expect(acquired[0]).toBeGreaterThan(acquired[1]!); // newest first
    expect(events.filter((e) => e.type === 'answer-switched')).toHaveLength(1);
  });

  it('a leader whose lease expired goes back to standing by instead of exiting, and can lead again', async () => {
    const offset = { ms: 0 };
    const { make } = await cluster({ offset });
    const a = make('a');
    await waitFor(() => a.l.leading, { timeoutMs: 5000, what: 'a to lead' });
    const first = a.l.epoch!;
    offset.ms = 60_000; // the grant expires before the next renewal
    await waitFor(() => a.changes.includes(false), { timeoutMs: 5000, what: 'a to stand down' });
    await waitFor(() => a.l.leading, { timeoutMs: 5000, what: 'a to lead again' });
    expect(a.l.epoch!).toBeGreaterThan(first);
    expect(a.changes).toEqual([true, false, true]);
  });

  it('raises probe-config-mismatch for batches from a probe with another config', async () => {
    const { store, buses, make } = await cluster();
    const a = make('a');
    await waitFor(() => a.l.leading, { timeoutMs: 5000, what: 'a to lead' });
    await buses
      .at(-1)!
      .publish({ probeId: 'odd', region: 'a', sentAt: Date.now(), configHash: 'hash-2', results: [] });
    await waitFor(
      async () => (await store.readEvents({ limit: 20 })).find((e) => e.type === 'probe-config-mismatch'),
      { timeoutMs: 5000, what: 'the mismatch event' },
    );
  });
});
