import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@understudy/testkit/redis-server';
import { waitFor } from '@understudy/testkit/wait';
import { describeLeaseConformance, makeDeciderState } from '../conformance/index.js';
import type { LeaseHarness } from '../conformance/index.js';
import { RedisConnection } from './connection.js';
import { RedisLease, readLeaseHolder } from './lease.js';
import { RedisStateStore } from './state-store.js';
import { fullPatch } from '@understudy/core';

let redis: RedisServer;
beforeAll(async () => {
  // AOF on: the reopen test restarts the server and expects the epoch counter to survive.
  redis = await startRedis({ appendonly: true });
});
afterAll(async () => {
  await redis?.stop();
});

let testNo = 0;
const TTL_MS = 1_500;

async function harness(): Promise<LeaseHarness> {
  const prefix = `lease${++testNo}:`;
  const conn = await RedisConnection.create({ url: redis.url, prefix });
  const leases: RedisLease[] = [];
  const stores: RedisStateStore[] = [];
  return {
    store: async () => {
      const store = await RedisStateStore.open({ connection: conn });
      stores.push(store);
      return store;
    },
    create: (holder) => {
      const lease = new RedisLease({ connection: conn, holder, ttlMs: TTL_MS });
      leases.push(lease);
      return Promise.resolve(lease);
    },
    // Real expiry: wait until Redis itself dropped the lease key.
    expire: async () => {
      await waitFor(async () => (await conn.client.exists(conn.key('lease'))) === 0, {
        timeoutMs: TTL_MS + 10_000,
        intervalMs: 50,
        what: 'the lease key to expire',
      });
    },
    reopen: async () => {
      await redis.restart();
      await conn.ready(15_000);
    },
    cleanup: async () => {
      await Promise.all(leases.map((l) => l.close()));
      await Promise.all(stores.map((s) => s.close()));
      await conn.close();
    },
  };
}

describeLeaseConformance('RedisLease', harness, { expire: true, reopen: true });

describe('RedisLease specifics', () => {
  it('raises the state store fencing mark on acquire, so the previous holder is fenced at once', async () => {
    const conn = await RedisConnection.create({ url: redis.url, prefix: `leasex${++testNo}:` });
    const store = await RedisStateStore.open({ connection: conn });
    const a = new RedisLease({ connection: conn, holder: 'a', ttlMs: 10_000 });
    const b = new RedisLease({ connection: conn, holder: 'b', ttlMs: 10_000 });
    const first = (await a.acquire())!;
    expect(await store.saveDecider(fullPatch(makeDeciderState()), first.epoch)).toEqual({ ok: true });
    await a.release();
    const second = (await b.acquire())!;
    expect(await store.fencingMark()).toBe(second.epoch);
    expect(await store.saveDecider(fullPatch(makeDeciderState()), first.epoch)).toEqual({
      ok: false,
      reason: 'stale-epoch',
      storedEpoch: second.epoch,
    });
    // A writer with an epoch above every grant raises the mark; the next grant is above it.
    expect(await store.saveDecider(fullPatch(makeDeciderState()), second.epoch + 5)).toEqual({ ok: true });
    await b.release();
    expect((await a.acquire())!.epoch).toBe(second.epoch + 6);
    await Promise.all([a.close(), b.close(), store.close()]);
    await conn.close();
  });

  it('lets only one of many concurrent acquisitions win, and sets the TTL in Redis', async () => {
    const conn = await RedisConnection.create({ url: redis.url, prefix: `leasex${++testNo}:` });
    const leases = ['a', 'b', 'c', 'd', 'e'].map(
      (h) => new RedisLease({ connection: conn, holder: h, ttlMs: 4_000 }),
    );
    const grants = await Promise.all(leases.map((l) => l.acquire()));
    const winners = grants.filter((g) => g !== null);
    expect(winners).toHaveLength(1);
    expect(await conn.client.get(conn.key('lease'))).toBe(`${winners[0]!.holder}#${winners[0]!.epoch}`);
    const ttl = await conn.client.pttl(conn.key('lease'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(4_000);
    await Promise.all(leases.map((l) => l.close()));
    expect(await conn.client.exists(conn.key('lease'))).toBe(0);
    await conn.close();
  });

  it('readLeaseHolder reports the current holder and epoch (for dashboards), null when free', async () => {
    const conn = await RedisConnection.create({ url: redis.url, prefix: `leasex${++testNo}:` });
    const a = new RedisLease({ connection: conn, holder: 'decider@host/1', ttlMs: 10_000 });
    expect(await readLeaseHolder(conn)).toBeNull();
    const grant = (await a.acquire())!;
    expect(await readLeaseHolder(conn)).toEqual({ holder: 'decider@host/1', epoch: grant.epoch });
    await a.release();
    expect(await readLeaseHolder(conn)).toBeNull();
    await conn.client.set(conn.key('lease'), 'garbage');
    await expect(readLeaseHolder(conn)).rejects.toThrow(/lease: not "<holder>#<epoch>"/);
    await Promise.all([a.close(), conn.client.del(conn.key('lease'))]);
    await conn.close();
  });

  it('rejects bad options', async () => {
    const conn = await RedisConnection.create({ url: redis.url, waitForReady: false });
    expect(() => new RedisLease({ connection: conn, holder: 'a', ttlMs: 0 })).toThrow(RangeError);
    expect(() => new RedisLease({ connection: conn, holder: 'a#1' })).toThrow(RangeError);
    expect(() => new RedisLease({ connection: conn, holder: '' })).toThrow(RangeError);
    await conn.close();
  });
});
