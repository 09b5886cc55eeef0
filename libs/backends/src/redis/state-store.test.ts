import { updateSerial, fullPatch } from '@understudy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@understudy/testkit/redis-server';
import { recordingLogger } from '@understudy/testkit/logger';
import {
  describeStateStoreConformance,
  makeDeciderState,
  makeEvents,
  delta,
  full,
  waitFor,
} from '../conformance/index.js';
import { RedisConnection } from './connection.js';
import { RedisStateStore } from './state-store.js';
import { RedisLease } from './lease.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let testNo = 0;

/** Each test gets its own key prefix on the shared server: fresh storage without flushing. */
function harness() {
  let connections: RedisConnection[] = [];
  let stores: RedisStateStore[] = [];
  let prefix = '';
  const open = async () => {
    const connection = await RedisConnection.create({ url: redis.url, prefix });
    connections.push(connection);
    const store = await RedisStateStore.open({ connection, maxEvents: 50, pollIntervalMs: 200 });
    stores.push(store);
    return store;
  };
  return {
    eventCap: 50,
    create: () => {
      prefix = `conf${++testNo}:`;
      return open();
    },
    reopen: open,
    crashReopen: open,
    peer: open,
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      await Promise.all(connections.map((c) => c.close()));
      stores = [];
      connections = [];
    },
  };
}

describeStateStoreConformance('RedisStateStore', harness());

describe('RedisStateStore specifics', () => {
  async function openPair(pollIntervalMs = 200) {
    const prefix = `spec${++testNo}:`;
    const logger = recordingLogger();
    const a = await RedisConnection.create({ url: redis.url, prefix, logger });
    const b = await RedisConnection.create({ url: redis.url, prefix, logger });
    const storeA = await RedisStateStore.open({ connection: a, logger, pollIntervalMs });
    const storeB = await RedisStateStore.open({ connection: b, logger, pollIntervalMs });
    return {
      a,
      b,
      storeA,
      storeB,
      logger,
      close: async () => {
        await Promise.all([storeA.close(), storeB.close()]);
        await Promise.all([a.close(), b.close()]);
      },
    };
  }

  it('refuses a paused old leader that writes right after the new leader, in the Lua script', async () => {
    const { a, b, storeA, storeB, close } = await openPair();
    const oldLease = new RedisLease({ connection: a, holder: 'old', ttlMs: 60_000 });
    const newLease = new RedisLease({ connection: b, holder: 'new', ttlMs: 60_000 });
    const old = (await oldLease.acquire())!;
    expect(await storeA.writeOverlay(full(10, old.epoch))).toEqual({ ok: true });
    // The old leader "pauses": its lease disappears (as by expiry) and the new leader takes over and writes.
    await a.client.del(a.key('lease'));
    const fresh = (await newLease.acquire())!;
    expect(fresh.epoch).toBeGreaterThan(old.epoch);
    expect(await storeB.writeOverlay(full(11, fresh.epoch))).toEqual({ ok: true });
    // The old leader wakes up and carries on with a higher serial: every kind of write is refused.
    const stale = { ok: false, reason: 'stale-epoch', storedEpoch: fresh.epoch };
    expect(await storeA.writeOverlay(full(99, old.epoch))).toEqual(stale);
    expect(await storeA.saveDecider(fullPatch(makeDeciderState(99)), old.epoch)).toEqual(stale);
    expect(await storeA.appendEvents(makeEvents(1, 2), old.epoch)).toEqual(stale);
    expect(await oldLease.renew()).toBeNull();
    expect((await storeB.readOverlay())?.serial).toBe(11);
    expect(await storeB.loadDecider()).toBeNull();
    expect(await storeB.readEvents({ limit: 10 })).toEqual([]);
    const refused = await storeB.readRefusedWrites();
    expect(refused.map((r) => [r.what, r.epoch, r.storedEpoch])).toEqual([
      ['overlay full 99', old.epoch, fresh.epoch],
      ['decider', old.epoch, fresh.epoch],
      ['events 1..2', old.epoch, fresh.epoch],
    ]);
    expect(await storeB.readRefusedWrites({ after: refused[1]!.id })).toEqual([refused[2]]);
    expect(await storeB.fencingMark()).toBe(fresh.epoch);
    await close();
  });

  it('recovers a zone state whose notification was lost, by the serial check', async () => {
    const { a, storeA, storeB, logger, close } = await openPair(100);
    const seen: number[] = [];
    storeB.subscribe((u) => seen.push(updateSerial(u)));
    // Write behind pub/sub's back, as if the notification had been lost.
    await a.client.hset(a.key('overlay'), 'app.example.test./A', '["192.0.2.7"]');
    await a.client.hset(a.key('overlay:meta'), 'serial', '7', 'epoch', '1', 'generatedAt', '1');
    await a.client.set(a.key('zone:serial'), '7');
    await waitFor(() => seen.length >= 1, 'the recovered overlay');
    expect(seen).toEqual([7]);
    expect(logger.messages('info')).toContain('redis: overlay notification missed; catching up');
    // Later notifications still arrive, and the recovered serial is not delivered again.
    expect(await storeA.writeOverlay(delta(7, 8, 1))).toEqual({ ok: true });
    await waitFor(() => seen.length >= 2, 'the next notification');
    expect(seen).toEqual([7, 8]);
    await close();
  });

  it('ignores a foreign message on the notification channel and hands out frozen states', async () => {
    const { a, storeA, storeB, logger, close } = await openPair();
    const seen: unknown[] = [];
    storeB.subscribe((u) => seen.push(u));
    await a.client.publish(a.key('overlay:changed'), 'not json');
    await a.client.publish(
      a.key('overlay:changed'),
      JSON.stringify({ kind: 'delta', delta: { serial: 'x' } }),
    );
    await storeA.writeOverlay(full(5, 1));
    await waitFor(() => seen.length >= 1, 'the good notification');
    expect(seen).toEqual([full(5, 1)]);
    expect(Object.isFrozen((seen[0] as { overlay: object }).overlay)).toBe(true);
    // Only storeB has a subscriber: it warns about both bad messages; storeA does not even parse them.
    const warned = logger.messages('warn').filter((m) => m.includes('bad overlay notification'));
    expect(warned).toHaveLength(2);
    await close();
  });

  it('names the key when stored data is not what it wrote', async () => {
    const { a, storeA, close } = await openPair();
    await a.client.set(a.key('decider'), '{"truncated');
    await expect(storeA.loadDecider()).rejects.toThrow(`${a.key('decider')}: not JSON`);
    await a.client.hset(a.key('overlay:meta'), 'serial', '-1', 'epoch', '1', 'generatedAt', '1');
    await expect(storeA.readOverlay()).rejects.toThrow(/serial is not a non-negative integer/);
    await close();
  });

  it('rejects bad arguments and calls after close', async () => {
    const { storeA, close } = await openPair();
    await expect(storeA.saveDecider(fullPatch(makeDeciderState()), -1)).rejects.toThrow(RangeError);
    await expect(storeA.writeOverlay(full(Number.NaN, 1))).rejects.toThrow(RangeError);
    await expect(storeA.appendEvents([{ ...makeEvents(1, 1)[0]!, seq: 1.5 }], 1)).rejects.toThrow(RangeError);
    await expect(storeA.readEvents({ limit: 1.5 })).rejects.toThrow(RangeError);
    await storeA.close();
    await expect(storeA.loadDecider()).rejects.toThrow(/closed/);
    expect(() => storeA.subscribe(() => undefined)).toThrow(/closed/);
    await close();
  });
});
