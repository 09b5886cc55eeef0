/**
 * DNS benchmark: dnsperf against our server and against NSD serving the same zone, alternating, for
 * several runs. Prints QPS, average latency, server CPU µs per query and the ratio ours/NSD per run.
 *
 *   npm run bench:dns            (or: npx tsx test/bench/dns.ts)
 *   env: BENCH_SECONDS (15), BENCH_RUNS (3), BENCH_WORKERS ("1,2": dns.workers values to measure)
 *   Our server is the built CLI: `understudy dns --config <bench zone>`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { treeCpuSeconds } from './dns-proc.js';
import { dnsperfArgs, runDnsperf } from './dns-perf.js';
import type { PerfResult } from './dns-perf.js';
import { nsdAvailable, startNsd, startOurs } from './dns-servers.js';
import type { RunningServer } from './dns-servers.js';
import { BENCH_APEX, BENCH_QUERIES, benchZoneState } from './dns-zone.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const runs = Number(process.env.BENCH_RUNS ?? 3);
/** Our server's node:cluster worker counts to measure, e.g. "1" or "1,2". */
const workerCounts = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);

interface Measured extends PerfResult {
  name: string;
  cpuUsPerQuery: number;
}

async function measure(server: RunningServer, queryFile: string): Promise<Measured> {
  const before = treeCpuSeconds(server.pid);
  const perf = await runDnsperf(dnsperfArgs(server.port, queryFile, seconds), seconds);
  const cpu = treeCpuSeconds(server.pid) - before;
  return { name: server.name, ...perf, cpuUsPerQuery: (cpu * 1e6) / Math.max(1, perf.completed) };
}

async function measureWith(start: () => Promise<RunningServer>, queryFile: string): Promise<Measured> {
  const server = await start();
  try {
    return await measure(server, queryFile);
  } finally {
    await server.stop();
  }
}

function line(m: Measured): string {
  return `  ${m.name.padEnd(7)} ${m.qps.toFixed(0).padStart(8)} qps  avg ${m.avgLatencyMs.toFixed(3)} ms  ${m.cpuUsPerQuery.toFixed(2).padStart(6)} µs CPU/query  lost ${m.lost}`;
}

function rotate<T>(list: T[], by: number): T[] {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-bench-dns-'));
  const zs = benchZoneState();
  const queryFile = join(dir, 'queries.txt');
  writeFileSync(queryFile, `${BENCH_QUERIES.join('\n')}\n`);
  const withNsd = nsdAvailable();
  const contenders: (() => Promise<RunningServer>)[] = workerCounts.map(
    (w) => () => startOurs(w, BENCH_APEX),
  );
  if (withNsd) contenders.push(() => startNsd(zs));
  console.log(`dnsperf ${dnsperfArgs(0, 'queries.txt', seconds).join(' ').replace('-p 0', '-p <port>')}`);
  console.log(
    `${runs} runs of ${seconds} s; our server with ${workerCounts.join(' / ')} worker(s)` +
      (withNsd ? '' : `; ${'NSD'} not found: skipped`),
  );
  const summary: string[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      console.log(`run ${run}`);
      // Rotate the order so a drifting background load does not always favour the same server.
      const results: Measured[] = [];
      for (const start of rotate(contenders, run - 1)) {
        const m = await measureWith(start, queryFile);
        console.log(line(m));
        results.push(m);
      }
      const nsd = results.find((m) => m.name === 'nsd');
      if (!nsd) continue;
      for (const o of results.filter((m) => m !== nsd)) {
        const ratio = `run ${run} ${o.name}/nsd: QPS ${(o.qps / nsd.qps).toFixed(2)}, CPU/query ${(o.cpuUsPerQuery / nsd.cpuUsPerQuery).toFixed(2)}`;
        summary.push(ratio);
        console.log(`  ${ratio}`);
      }
    }
    if (summary.length > 0) console.log(`summary\n  ${summary.join('\n  ')}`);
    console.log('targets: QPS ≥ 0.6 × NSD in the same run; server CPU ≤ 16 µs/query');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
