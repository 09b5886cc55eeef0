/**
 * RedisStateStore's overlay specifics: a follower that lost a notification catches up from the journal (or
 * the whole overlay when the journal no longer reaches back), and a store written by the previous format
 * (one whole ZoneState under "zone") does not crash the new one: its serial still fences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateSerial, type OverlayUpdate, fullPatch } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { startRedis, type RedisServer } from '@understudy/testkit/redis-server';
import { delta, full, makeDeciderState, partialPatch, waitFor } from '../conformance/index.js';
import { RedisConnection } from './connection.js';
import { RedisStateStore } from './state-store.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let testNo = 0;
async function openPair() {
  const prefix = `follow${++testNo}:`;
  const logger = recordingLogger();
  const a = await RedisConnection.create({ url: redis.url, prefix, logger });
  const b = await RedisConnection.create({ url: redis.url, prefix, logger });
  // A long serial check: these tests are about the notification path, not the periodic check.
  const storeA = await RedisStateStore.open({ connection: a, logger, pollIntervalMs: 60_000 });
  const storeB = await RedisStateStore.open({ connection: b, logger, pollIntervalMs: 60_000 });
  const close = async () => {
    await Promise.all([storeA.close(), storeB.close()]);
    await Promise.all([a.close(), b.close()]);
  };
  return { a, storeA, storeB, close };
}

/** Writes delta `base → serial` the way the script does, but without PUBLISH: a lost notification. */
async function writeSilently(a: RedisConnection, base: number, serial: number): Promise<void> {
  const u = delta(base, serial, 1);
  if (u.kind !== 'delta') throw new Error('unreachable');
  for (const [id, v] of Object.entries(u.delta.records))
    await a.client.hset(a.key('overlay'), id, JSON.stringify(v));
  await a.client.hset(a.key('overlay:meta'), 'serial', String(serial), 'epoch', '1', 'generatedAt', '1');
  await a.client.set(a.key('zone:serial'), String(serial));
  await a.client.lpush(a.key('overlay:journal'), JSON.stringify(u.delta));
}

describe('RedisStateStore overlay following', () => {
  it('after a lost delta, delivers the missed deltas from the journal, in order', async () => {
    const { a, storeA, storeB, close } = await openPair();
    const seen: OverlayUpdate[] = [];
    storeB.subscribe((u) => seen.push(u));
    expect(await storeA.writeOverlay(full(10, 1))).toEqual({ ok: true });
    await waitFor(() => seen.length >= 1, 'the full overlay');
    await writeSilently(a, 10, 11);
    expect(await storeA.writeOverlay(delta(11, 12, 1))).toEqual({ ok: true });
    await waitFor(() => seen.length >= 3, 'the missed delta and the next one');
    expect(seen.map((u) => [u.kind, updateSerial(u)])).toEqual([
      ['full', 10],
      ['delta', 11],
      ['delta', 12],
    ]);
    expect(seen[1]).toEqual(delta(10, 11, 1));
    await close();
  });

  it('after a gap the journal no longer covers, delivers the whole overlay', async () => {
    const { a, storeA, storeB, close } = await openPair();
    const seen: OverlayUpdate[] = [];
    storeB.subscribe((u) => seen.push(u));
    await storeA.writeOverlay(full(10, 1));
    await waitFor(() => seen.length >= 1, 'the full overlay');
    await writeSilently(a, 10, 11);
    await a.client.del(a.key('overlay:journal')); // as if trimmed past serial 10
    expect(await storeA.writeOverlay(delta(11, 12, 1))).toEqual({ ok: true });
    await waitFor(() => seen.length >= 2, 'the resync');
    expect(seen.map((u) => [u.kind, updateSerial(u)])).toEqual([
      ['full', 10],
      ['full', 12],
    ]);
    const last = seen[1]!;
    expect(last.kind === 'full' && last.overlay.records['app.example.test./A']).toEqual(['198.51.100.12']);
    await close();
  });

  it('treats a previous-format zone state as the stored serial only, and replaces it with a full overlay', async () => {
    const { a, storeA, close } = await openPair();
    await a.client.set(a.key('zone'), JSON.stringify({ serial: 500, epoch: 2, generatedAt: 1, zones: [] }));
    await a.client.set(a.key('zone:serial'), '500');
    expect(await storeA.readOverlay()).toBeNull();
    expect(await storeA.readDeltas(500)).toBeNull();
    const refused = { ok: false, reason: 'stale-serial', storedSerial: 500 };
    expect(
      await storeA.commit({ decider: fullPatch(makeDeciderState()), zone: full(400, 3), events: [] }, 3),
    ).toEqual(refused);
    // Even at the stored serial a delta needs a stored overlay to apply to.
    expect(await storeA.writeOverlay(delta(500, 501, 3))).toEqual(refused);
    expect(
      await storeA.commit({ decider: fullPatch(makeDeciderState()), zone: full(501, 3), events: [] }, 3),
    ).toEqual({
      ok: true,
    });
    expect((await storeA.readOverlay())?.serial).toBe(501);
    expect(await a.client.exists(a.key('zone'))).toBe(0);
    await close();
  });

  it('commits a one-record delta into a 10,000-record overlay with O(1) Redis writes', async () => {
    const { a, storeA, close } = await openPair();
    const records: Record<string, string[]> = {};
    for (let i = 0; i < 10_000; i++) records[`r${i}.example.test./A`] = ['192.0.2.1'];
    const overlay = { serial: 100, epoch: 1, generatedAt: 1, records };
    expect(await storeA.writeOverlay({ kind: 'full', overlay })).toEqual({ ok: true });
    expect(await storeA.saveDecider(fullPatch(makeDeciderState()), 1)).toEqual({ ok: true });
    await a.client.config('RESETSTAT');
    const one = { 'r7.example.test./A': ['192.0.2.2'] };
    expect(
      await storeA.commit(
        { decider: partialPatch(makeDeciderState()), zone: delta(100, 101, 1, one), events: [] },
        1,
      ),
    ).toEqual({ ok: true });
    const stats = await a.client.info('commandstats');
    const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    // One overlay field and the meta hash; one journal entry; nothing proportional to the zone.
    expect(calls('hset')).toBe(2);
    expect(calls('lpush')).toBe(1);
    expect(calls('del')).toBe(0);
    expect((await storeA.readOverlay())?.records['r7.example.test./A']).toEqual(['192.0.2.2']);
    await close();
  });
});
