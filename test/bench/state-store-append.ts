/**
 * Measures MemoryStateStore.appendEvents latency with a file, with the timeline at its cap (default 10 000
 * events of ~1 KB, the production default). Not a test: run it by hand and compare figures across changes.
 *
 *   npx tsx test/bench/state-store-append.ts [--cap 10000] [--appends 200] [--dir /path]
 *
 * Phase 1 times single-event appends (the decider's usual write). Phase 2 keeps appending 50-event batches
 * until another `cap` events went in, so any periodic rewrite (compaction) shows up in its max.
 * Uses the directory given by --dir (default the OS temp directory): fsync cost depends on the filesystem.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeEvents } from '../../libs/backends/src/conformance/fixtures.js';
import { MemoryStateStore, eventsFileFor } from '@understudy/backends';

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  const f = (v: number) => v.toFixed(2);
  return `n=${ms.length} mean=${f(mean)} p50=${f(at(0.5))} p95=${f(at(0.95))} p99=${f(at(0.99))} max=${f(sorted[sorted.length - 1]!)} ms`;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cap: { type: 'string', default: '10000' },
      appends: { type: 'string', default: '200' },
      dir: { type: 'string' },
    },
  });
  const cap = Number(values.cap);
  const appends = Number(values.appends);
  const dir = await mkdtemp(join(values.dir ?? tmpdir(), 'understudy-bench-'));
  const file = join(dir, 'state.json');
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const store = await MemoryStateStore.open({ file, maxEvents: cap });
    let seq = 1;
    const prefill = await timed(async () => {
      for (; seq <= cap; seq += 500)
        await store.appendEvents(makeEvents(seq, Math.min(500, cap - seq + 1)), 1);
    });
    out(
      `prefill ${cap} events in ${prefill.toFixed(0)} ms; events file ${(await stat(eventsFileFor(file))).size} bytes`,
    );

    const single: number[] = [];
    for (let i = 0; i < appends; i++)
      single.push(await timed(() => store.appendEvents(makeEvents(seq++, 1), 1)));
    out(`phase 1, 1 event per append at the cap: ${summary(single)}`);

    const batches: number[] = [];
    for (let n = 0; n < cap; n += 50) {
      batches.push(await timed(() => store.appendEvents(makeEvents(seq, 50), 1)));
      seq += 50;
    }
    out(`phase 2, 50 events per append, ${cap} events in all: ${summary(batches)}`);
    out(`events file now ${(await stat(eventsFileFor(file))).size} bytes`);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
