import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Clock } from '@understudy/core';
import { describeLeaseConformance, makeDeciderState } from '../conformance/index.js';
import type { LeaseHarness } from '../conformance/index.js';
import { MemoryLease } from './lease.js';
import { MemoryStateStore } from './state-store.js';
import { fullPatch } from '@understudy/core';

async function harness(persistent: boolean): Promise<LeaseHarness> {
  const dir = persistent ? await mkdtemp(join(tmpdir(), 'understudy-lease-')) : null;
  const file = dir ? join(dir, 'state.json') : null;
  const clock = { t: 1_000_000, now: () => clock.t };
  let store = await MemoryStateStore.open({ file });
  const leases: MemoryLease[] = [];
  return {
    create: (holder) => {
      const lease = new MemoryLease({ store, holder, clock, ttlMs: 10_000 });
      leases.push(lease);
      return Promise.resolve(lease);
    },
    store: () => Promise.resolve(store),
    expire: () => {
      clock.t += 10_001;
      return Promise.resolve();
    },
    reopen: async () => {
      await store.close();
      store = await MemoryStateStore.open({ file });
    },
    cleanup: async () => {
      await Promise.all(leases.map((l) => l.close()));
      await store.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

describeLeaseConformance('MemoryLease (memory-only store)', () => harness(false), { expire: true });
describeLeaseConformance('MemoryLease (JSON file store)', () => harness(true), {
  expire: true,
  reopen: true,
});

describe('MemoryLease specifics', () => {
  it('raises the store fencing mark on acquire, so the previous holder is fenced at once', async () => {
    const store = await MemoryStateStore.open();
    const clock: Clock = { now: () => 0 };
    const a = new MemoryLease({ store, holder: 'a', clock });
    const b = new MemoryLease({ store, holder: 'b', clock });
    const first = (await a.acquire())!;
    await a.release();
    const second = (await b.acquire())!;
    expect(store.highestEpoch).toBe(second.epoch);
    expect(await store.saveDecider(fullPatch(makeDeciderState()), first.epoch)).toMatchObject({
      ok: false,
      reason: 'stale-epoch',
    });
    await store.close();
  });

  it('lets only one of two concurrent acquisitions win', async () => {
    const store = await MemoryStateStore.open();
    const a = new MemoryLease({ store });
    const b = new MemoryLease({ store });
    const grants = await Promise.all([a.acquire(), b.acquire()]);
    expect(grants.filter((g) => g !== null)).toHaveLength(1);
    await store.close();
  });

  it('rejects a non-positive ttl', () => {
    expect(() => new MemoryLease({ store: { nextEpoch: () => Promise.resolve(1) }, ttlMs: 0 })).toThrow(
      RangeError,
    );
  });
});
