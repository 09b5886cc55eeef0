/**
 * One decision's commit at 10,000 failover records (issue 11): the time StateStore.commit takes for a
 * one-record switch (decider state change, one-record overlay delta, one event), and the bytes it writes.
 * Not a test: run it by hand and compare figures across changes.
 *
 *   npx tsx test/bench/decider-commit.ts [--records 10000] [--commits 50] [--switch 1] [--store memory|redis|both] [--whole]
 *
 * --switch N: each commit switches N records and carries N events (issue 11: one check flipping 1,100 of
 * 11,000 failover records is `--records 11000 --switch 1100`).
 *
 * --whole sends the whole decider state each commit (what the decider did before patches: a structuredClone
 * of everything); it only works against a store that takes a whole state, i.e. the code before patches.
 * The memory store writes to a temp directory (fsync cost depends on the filesystem); Redis is a real
 * redis-server on a random port (testkit).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Commit, DeciderState, StateStore } from '@understudy/core';
import { MemoryStateStore } from '@understudy/backends';
import { RedisConnection, RedisStateStore } from '@understudy/backends/redis';
import { startRedis } from '@understudy/testkit/redis-server';
import { makeDeciderState, makeEvents } from '../../libs/backends/src/conformance/fixtures.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    commits: { type: 'string', default: '50' },
    switch: { type: 'string', default: '1' },
    store: { type: 'string', default: 'both' },
    whole: { type: 'boolean', default: false },
  },
});
const N = Number(values.records);
const COMMITS = Number(values.commits);
const SWITCH = Number(values.switch);
const APP = 'app.example.test./A';

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const f = (v: number) => v.toFixed(2);
  return `n=${ms.length} p50=${f(at(0.5))} p95=${f(at(0.95))} max=${f(sorted.at(-1)!)} ms`;
}

function world(): { st: DeciderState; records: Record<string, string[]> } {
  const st = makeDeciderState(100, 1);
  const records: Record<string, string[]> = {};
  for (let i = 0; i < N; i++) {
    st.records[`r${i}.example.test./A`] = structuredClone(st.records[APP]!);
    records[`r${i}.example.test./A`] = ['192.0.2.1'];
  }
  return { st, records };
}

/** The decider's part of a commit: a patch of the switched records, or (--whole) a copy of everything. */
function deciderOf(st: DeciderState, ids: string[], first: boolean): Commit['decider'] {
  if (values.whole) return structuredClone(st) as unknown as Commit['decider'];
  const { checks, records, ...top } = st;
  if (first) return structuredClone({ full: true, top, checks, records });
  const changed = Object.fromEntries(ids.map((id) => [id, records[id]!]));
  return structuredClone({ full: false, top, checks: {}, records: changed });
}

async function run(name: string, store: StateStore, bytes: () => Promise<number>): Promise<void> {
  const { st, records } = world();
  const overlay = { serial: 100, epoch: 1, generatedAt: 1, records };
  await store.commit({ decider: deciderOf(st, [], true), zone: { kind: 'full', overlay }, events: [] }, 1);
  const ms: number[] = [];
  const toNotice: number[] = [];
  const written: number[] = [];
  // What the DNS role waits for: the subscriber's notice (a commit's later work, e.g. compaction, is not).
  let noticedAt = 0;
  const unsubscribe = store.subscribe(() => {
    noticedAt = performance.now();
  });
  for (let i = 0; i < COMMITS; i++) {
    const ids = Array.from({ length: SWITCH }, (_, k) => `r${(i * SWITCH + k) % N}.example.test./A`);
    const value = [`192.0.2.${2 + (i % 2)}`];
    st.serial = 101 + i;
    st.eventSeq = 1 + (i + 1) * SWITCH;
    for (const id of ids) st.records[id]!.values = value;
    const before = await bytes();
    const c: Commit = {
      decider: deciderOf(st, ids, false),
      zone: {
        kind: 'delta',
        delta: {
          base: 100 + i,
          serial: 101 + i,
          epoch: 1,
          generatedAt: 2 + i,
          records: Object.fromEntries(ids.map((id) => [id, value])),
        },
      },
      events: makeEvents(2 + i * SWITCH, SWITCH),
    };
    // Only the store's part: building the commit (the decider's takePatch) is not the store's cost.
    const t0 = performance.now();
    const outcome = await store.commit(c, 1);
    ms.push(performance.now() - t0);
    toNotice.push(noticedAt - t0);
    written.push((await bytes()) - before);
    if (!outcome.ok) throw new Error(`commit refused: ${JSON.stringify(outcome)}`);
  }
  unsubscribe();
  const kb = written.reduce((a, b) => a + b, 0) / written.length / 1024;
  console.log(
    `${name} ${values.whole ? 'whole state' : 'patch'} records=${N} switch=${SWITCH}: ${summary(ms)}; to notice ${summary(toNotice)}; ~${kb.toFixed(1)} KB written per commit`,
  );
}

if (values.store === 'memory' || values.store === 'both') {
  const dir = await mkdtemp(join(tmpdir(), 'understudy-bench-commit-'));
  try {
    const store = await MemoryStateStore.open({ file: join(dir, 'state.json'), flushDelayMs: 60_000 });
    // Bytes written ≈ growth of appended files + the size of every file rewritten (its mtime moved).
    let seen = new Map<string, { size: number; mtime: number }>();
    const bytes = async () => {
      let total = 0;
      const next = new Map<string, { size: number; mtime: number }>();
      for (const name of await readdir(dir)) {
        const s = await stat(join(dir, name)).catch(() => null);
        if (!s) continue;
        next.set(name, { size: s.size, mtime: s.mtimeMs });
        const prev = seen.get(name);
        if (!prev) total += s.size;
        else if (s.mtimeMs !== prev.mtime)
          total += name.includes('journal') || name.includes('events') ? s.size - prev.size : s.size;
      }
      seen = next;
      return total;
    };
    let acc = 0;
    await run('memory+file', store, async () => (acc += await bytes()));
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (values.store === 'redis' || values.store === 'both') {
  const redis = await startRedis();
  try {
    const connection = await RedisConnection.create({ url: redis.url, prefix: 'bench:' });
    const store = await RedisStateStore.open({ connection, pollIntervalMs: 60_000 });
    const netIn = async () =>
      Number(/total_net_input_bytes:(\d+)/.exec(await connection.client.info('stats'))?.[1] ?? 0);
    await run('redis', store, netIn);
    await store.close();
    await connection.close();
  } finally {
    await redis.stop();
  }
}
