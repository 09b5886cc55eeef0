/**
 * Reload (issue 13): DeciderRole.applyConfig over the in-process store and a real redis-server. The lease
 * and epoch stay, the overlay moves to a new serial carrying the new record set, unchanged checks keep
 * their verdicts, new checks start unknown, removed ones go, and the stored decider state follows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import { RedisConnection, RedisLease, RedisResultsBus, RedisStateStore } from '@understudy/backends/redis';
import { parseConfig } from '@understudy/config';
import type { Lease, OverlayUpdate, ResultsBus, StateStore } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { startRedis } from '@understudy/testkit/redis-server';
import { waitFor } from '@understudy/testkit/wait';
import { DeciderRole } from './decider-role.js';
import { probeResultMaker, publishPerRegion } from './test-support/probe-result.js';

const head = `
regions: [a, b, c]
quorum: "2/3"
listen: { http: null }
decider: { tickInterval: 50ms }
`;
const record = (name: string, answers: string) => `
      - name: ${name}
        type: A
        ttl: 30
        answers:
${answers}`;
const APP = record(
  'app',
  `          - { name: primary, values: [192.0.2.10], check: p }
          - { name: secondary, values: [198.51.100.10], check: s }`,
);
const before = parseConfig(`${head}
checks:
  p: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, fall: 1, rise: 1 }
  s: { type: tcp, host: 127.0.0.1, port: 2, interval: 1s, fall: 1, rise: 1 }
  r: { type: tcp, host: 127.0.0.1, port: 3, interval: 1s, fall: 1, rise: 1 }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:${APP}${record('old', '          - { name: only, values: [203.0.113.1], check: r }')}
`);
// p unchanged, s judged differently (fall), r removed, n added (on a new record), old record removed.
const after = parseConfig(`${head}
checks:
  p: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, fall: 1, rise: 1 }
  s: { type: tcp, host: 127.0.0.1, port: 2, interval: 1s, fall: 3, rise: 1 }
  n: { type: tcp, host: 127.0.0.1, port: 4, interval: 1s, fall: 1, rise: 1 }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:${APP}${record('web', '          - { name: only, values: [203.0.113.7], check: n }')}
`);
const APP_ID = 'app.example.test./A';
const WEB_ID = 'web.example.test./A';
const OLD_ID = 'old.example.test./A';

const result = probeResultMaker();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

interface Backend {
  store: StateStore;
  bus: ResultsBus;
  lease: Lease;
}

async function memoryBackend(): Promise<Backend> {
  const store = await MemoryStateStore.open({});
  const bus = new MemoryResultsBus({});
  cleanups.push(
    () => store.close(),
    () => bus.close(),
  );
  return { store, bus, lease: new MemoryLease({ store, clock: Date, ttlMs: 30_000 }) };
}

async function redisBackend(): Promise<Backend> {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const connection = await RedisConnection.create({ url: redis.url, name: 'reload-test' });
  const store = await RedisStateStore.open({ connection });
  const bus = new RedisResultsBus({ connection });
  cleanups.push(
    () => connection.close(),
    () => store.close(),
    () => bus.close(),
  );
  return { store, bus, lease: new RedisLease({ connection, holder: 'reload-test', ttlMs: 30_000 }) };
}

/** p down in two regions (the record fails over to secondary), s and r up everywhere. */
async function failPrimary(bus: ResultsBus): Promise<void> {
  await publishPerRegion(bus, ['a', 'b', 'c'], (region, now) => [
    result('p', region, region === 'c', now),
    result('s', region, true, now),
    result('r', region, true, now),
  ]);
}

describe.each([
  ['the in-process store', memoryBackend],
  ['a real redis-server', redisBackend],
])('DeciderRole.applyConfig over %s', (_name, backend) => {
  it('keeps lease, epoch and verdicts; moves the overlay on with the new record set', async () => {
    const { store, bus, lease } = await backend();
    const role = await DeciderRole.start({
      config: before.config,
      configHash: before.hash,
      store,
      bus,
      lease,
      clock: Date,
      logger: recordingLogger(),
    });
    cleanups.push(() => role.close());
    await failPrimary(bus);
    await waitFor(
      () => {
        const st = role.engine.state;
        return st.records[APP_ID]!.values[0] === '198.51.100.10' && st.checks.s!.verdict === 'up';
      },
      { timeoutMs: 10_000, what: 'the failover to secondary' },
    );
    await waitFor(async () => (await store.readOverlay())?.records[APP_ID]?.[0] === '198.51.100.10', {
      timeoutMs: 10_000,
      what: 'the failover to be stored',
    });
    const epoch = role.epoch;
    const stored = (await store.readOverlay())!;
    const eventsBefore = await store.readEvents({ limit: 1000 });
    const seen: OverlayUpdate[] = [];
    const unsubscribe = store.subscribe((u) => seen.push(u));
    cleanups.push(() => Promise.resolve(unsubscribe()));

    await role.applyConfig(after);

    expect(role.epoch).toBe(epoch);
    expect(role.ready).toBe(true);
    const st = role.engine.state;
    expect(st.checks.p!.verdict).toBe('down');
    expect(st.checks.s!.verdict).toBe('up');
    expect(st.checks.n!.verdict).toBe('unknown');
    expect(st.checks.r).toBeUndefined();
    expect(st.records[APP_ID]!.active).toEqual({ kind: 'answer', name: 'secondary' });

    const overlay = (await store.readOverlay())!;
    expect(overlay.epoch).toBe(epoch);
    expect(overlay.serial).toBeGreaterThan(stored.serial);
    expect(overlay.records[APP_ID]).toEqual(['198.51.100.10']);
    expect(overlay.records[WEB_ID]).toEqual(['203.0.113.7']);
    expect(overlay.records[OLD_ID]).toBeUndefined();
    await waitFor(() => seen.some((u) => u.kind === 'full' && u.overlay.serial === overlay.serial), {
      timeoutMs: 5_000,
      what: 'followers to be told of the whole new overlay',
    });

    const persisted = (await store.loadDecider())!;
    expect(Object.keys(persisted.checks).sort()).toEqual(['n', 'p', 's']);
    expect(Object.keys(persisted.records).sort()).toEqual([APP_ID, WEB_ID]);
    expect(persisted.checks.p!.verdict).toBe('down');

    // The timeline goes on: no new term, no stand-down; seqs keep counting from where they were.
    const events = await store.readEvents({ limit: 1000 });
    expect(events.filter((e) => e.type === 'leader-acquired' || e.type === 'leader-lost')).toEqual(
      eventsBefore.filter((e) => e.type === 'leader-acquired' || e.type === 'leader-lost'),
    );
    const out = await role.raise({ type: 'drill-started', severity: 'info', message: 'after', evidence: {} });
    expect(out.events[0]!.seq).toBeGreaterThan(Math.max(0, ...eventsBefore.map((e) => e.seq)));

    // The new check is decided from new results; the removed one's are dropped as unknown.
    await publishPerRegion(bus, ['a', 'b', 'c'], (region, now) => [result('n', region, true, now)]);
    await waitFor(() => role.engine.state.checks.n!.verdict === 'up', {
      timeoutMs: 10_000,
      what: 'the new check to come up',
    });
    expect(
      role
        .status()
        .checks.map((c) => c.id)
        .sort(),
    ).toEqual(['n', 'p', 's']);
  });
});
