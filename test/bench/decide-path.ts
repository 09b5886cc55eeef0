/**
 * The deciding process's share of decision → served at bench:scale's sizes, in one process and without
 * DNS workers (issue 11): a DeciderRole on a persisted MemoryStateStore, one of the 10 checks flipping
 * down and back up (10 % of the failover records switch each way), and for each change the time from the
 * decision (the switch's switchedAt) to the store notifying its subscribers (what the DNS role waits for).
 * The first change in a fresh process is the cold one (code not yet optimized), as in production after a
 * quiet spell; run it with the node flags the launchers use.
 *
 * The engine's own time for a failover (ingest) is printed beside it.
 *
 * `--release after` runs the main process's memory-reducing collection before the first change, and
 * `--settle MS` waits that long after it (results flowing) so the decider's rewarm rehearsals run between
 * them, as DeciderRole.rewarm does in the embedded process (`--no-rewarm`: without). `--allocs` prints what
 * the first change allocates, by function (collected objects included).
 *
 *   npm run bench:decide-path [-- --size 110000 --cycles 3 --rehearse 0 --release after --settle 4000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MemoryLease, MemoryResultsBus, MemoryStateStore, silentLogger } from '@understudy/backends';
import { loadConfig } from '@understudy/config';
import type { DecisionEvent, ProbeResult } from '@understudy/core';
import { DeciderRole } from '@understudy/decider';
import { onHeapReleased, releaseHeap } from '@understudy/dns';
import { startAllocationSampling } from './alloc-sampling.js';
import { CHECKS, configYaml, zoneOf } from './scale-config.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '110000' },
    cycles: { type: 'string', default: '3' },
    /** Rehearsal period (ms) of the decider; 0: none (DeciderRoleOptions.rehearseEvery). */
    rehearse: { type: 'string', default: '60000' },
    /**
     * The memory-reducing collection the embedded main process runs after start (apps/dns heap-release.ts):
     * `before` the checks come up, or `after` (just before the first change); default none.
     */
    release: { type: 'string', default: 'none' },
    settle: { type: 'string', default: '0' },
    'no-rewarm': { type: 'boolean', default: false },
    allocs: { type: 'boolean', default: false },
  },
});
const SIZE = Number(args.size);
const CYCLES = Number(args.cycles);

const dir = mkdtempSync(join(tmpdir(), 'us-decide-path-'));
try {
  const file = join(dir, 'understudy.yaml');
  const ports = Array.from({ length: CHECKS }, (_, k) => 20_000 + k);
  writeFileSync(file, configYaml(zoneOf(SIZE), 5300, 8300, ports, dir));
  const loaded = await loadConfig(file);
  const store = await MemoryStateStore.open({ file: join(dir, 'state.json') });
  const notified: number[] = [];
  store.subscribe(() => notified.push(Date.now()));
  const bus = new MemoryResultsBus({});
  // The engine's own time for an ingest: from the clock read it starts with to the metrics hook after it.
  let readAt = 0;
  let engineMs = NaN;
  const clock = {
    now: () => {
      readAt = performance.now();
      return Date.now();
    },
  };
  const lease = new MemoryLease({ store, clock, ttlMs: 30_000 });
  let switches: DecisionEvent[] = [];
  const role = await DeciderRole.start({
    config: loaded.config,
    store,
    bus,
    lease,
    clock,
    logger: silentLogger,
    configHash: loaded.hash,
    rehearseEvery: Number(args.rehearse),
    metrics: {
      ingested: (_batch, out) => {
        if (out.events.some((e) => e.type === 'answer-switched')) engineMs = performance.now() - readAt;
      },
      output: () => {},
    },
    onOutput: (out) => {
      for (const e of out.events) if (e.type === 'answer-switched') switches.push(e);
    },
  });
  let seq = 0;
  const result = (checkId: string, ok: boolean, at: number): ProbeResult => ({
    checkId,
    region: 'bench',
    ok,
    probeId: 'probe-bench',
    seq: ++seq,
    observedAt: at,
    timings: { total: 1 },
    ...(ok ? {} : { reason: 'connect' as const }),
  });
  const send = async (results: (now: number) => ProbeResult[]): Promise<void> => {
    const now = Date.now();
    await bus.publish({
      probeId: 'probe-bench',
      region: 'bench',
      sentAt: now,
      configHash: loaded.hash,
      results: results(now),
    });
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const all = Array.from({ length: CHECKS }, (_, k) => `c${k}`);
  if (args.release === 'before') releaseHeap();
  // Every check up for 10 s (results once a second, as the probes send them): the decider rehearses meanwhile.
  for (let i = 0; i < 10; i++) {
    await send((now) => all.map((c) => result(c, true, now)));
    await sleep(1000);
  }
  if (!args['no-rewarm']) onHeapReleased(() => role.rewarm());
  if (args.release === 'after') releaseHeap();
  for (let t = 0; t < Number(args.settle); t += 1000) {
    await send((now) => all.map((c) => result(c, true, now)));
    await sleep(1000);
  }
  const sampler = args.allocs ? await startAllocationSampling() : null;
  const expected = zoneOf(SIZE).failovers / CHECKS;
  const measured: number[] = [];
  for (let cycle = 0; cycle < CYCLES * 2; cycle++) {
    const down = cycle % 2 === 0;
    switches = [];
    engineMs = NaN;
    const before = notified.length;
    const t0 = Date.now();
    // Results keep coming once a second; the flip back up waits for failbackAfter (2 s).
    while (switches.length < expected && Date.now() - t0 < 20_000) {
      await send((now) => all.map((c) => result(c, c === 'c0' ? !down : true, now)));
      await sleep(down ? 200 : 1000);
    }
    await sleep(300);
    if (sampler && cycle === 0) console.log(await sampler.stop());
    const at = switches[0]?.evidence?.timing as { switchedAt?: number } | undefined;
    const switchedAt = at?.switchedAt ?? NaN;
    const notice = notified.slice(before).find((t) => t >= switchedAt) ?? NaN;
    measured.push(notice - switchedAt);
    console.log(
      `change ${cycle + 1} (${down ? 'down' : 'up'}): ${switches.length} switched · decision → store notified ${notice - switchedAt} ms${down ? ` (engine ${engineMs.toFixed(1)} ms)` : ''}`,
    );
    await sleep(2000);
  }
  console.log(`decide-path size=${SIZE}: ${measured.join(', ')} ms (first is cold)`);
  await role.close();
  await bus.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
