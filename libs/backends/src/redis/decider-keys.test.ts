/**
 * The decider state in Redis as decider:top + decider:checks + decider:records: a one-record decision at
 * 10,000 failover records sends a few KB and touches one record field, and a store written by the previous
 * format (one whole `decider` key) still loads until the first full patch replaces it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingDeciderBaseError, fullPatch, type DeciderState } from '@understudy/core';
import { startRedis, type RedisServer } from '@understudy/testkit/redis-server';
import { delta, makeDeciderState, makeEvents, partialPatch } from '../conformance/index.js';
import { RedisConnection } from './connection.js';
import { RedisStateStore } from './state-store.js';

const APP = 'app.example.test./A';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let testNo = 0;
async function open() {
  const connection = await RedisConnection.create({ url: redis.url, prefix: `dk${++testNo}:` });
  const store = await RedisStateStore.open({ connection, pollIntervalMs: 60_000 });
  return {
    connection,
    store,
    close: async () => {
      await store.close();
      await connection.close();
    },
  };
}

function netInput(info: string): number {
  return Number(/total_net_input_bytes:(\d+)/.exec(info)?.[1] ?? NaN);
}

describe('RedisStateStore decider keys', () => {
  it('a one-record commit at 10,000 failover records sends a few KB and writes one record field', async () => {
    const { connection, store, close } = await open();
    const st = makeDeciderState(100, 1);
    const records: Record<string, string[]> = {};
    for (let i = 0; i < 10_000; i++) {
      st.records[`r${i}.example.test./A`] = structuredClone(st.records[APP]!);
      records[`r${i}.example.test./A`] = ['192.0.2.1'];
    }
    const overlay = { serial: 100, epoch: 1, generatedAt: 1, records };
    expect(
      await store.commit({ decider: fullPatch(st), zone: { kind: 'full', overlay }, events: [] }, 1),
    ).toEqual({ ok: true });
    st.serial = 101;
    st.eventSeq = 2;
    st.records['r7.example.test./A']!.values = ['192.0.2.2'];
    const patch = partialPatch(st, { records: ['r7.example.test./A'] });
    const one = { 'r7.example.test./A': ['192.0.2.2'] };
    await connection.client.config('RESETSTAT');
    const before = netInput(await connection.client.info('stats'));
    expect(
      await store.commit({ decider: patch, zone: delta(100, 101, 1, one), events: makeEvents(2, 1) }, 1),
    ).toEqual({ ok: true });
    const sent = netInput(await connection.client.info('stats')) - before;
    const stats = await connection.client.info('commandstats');
    const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    expect(sent).toBeLessThan(8_192);
    // One overlay field, the overlay meta, one decider record; the top is one SET beside zone:serial's.
    expect(calls('hset')).toBe(3);
    expect(calls('set')).toBeLessThanOrEqual(3);
    expect(await store.loadDecider()).toEqual(st);
    await close();
  });

  it('loads the previous format’s whole decider key, refuses a partial patch on it, and a full one replaces it', async () => {
    const { connection, store, close } = await open();
    const old = makeDeciderState(5, 1);
    await connection.client.set(connection.key('decider'), JSON.stringify(old));
    expect(await store.loadDecider()).toEqual(old);
    await expect(store.saveDecider(partialPatch(old, { records: [APP] }), 1)).rejects.toBeInstanceOf(
      MissingDeciderBaseError,
    );
    const next: DeciderState = makeDeciderState(6, 2);
    expect(await store.saveDecider(fullPatch(next), 1)).toEqual({ ok: true });
    expect(await connection.client.exists(connection.key('decider'))).toBe(0);
    expect(await store.loadDecider()).toEqual(next);
    await close();
  });
});
