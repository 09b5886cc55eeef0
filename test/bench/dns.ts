/**
 * DNS benchmark: dnsperf against our server, NSD and PowerDNS (bind backend) serving the same zone
 * with the same query mix, in rotating order, for several runs. Prints per server: QPS, server CPU
 * utilisation (CPU seconds / wall seconds of the server's process tree: near 1.0 per process means
 * saturated), average latency, CPU µs per query, and the ratios ours/peer per run and their medians.
 *
 *   npm run bench:dns            (or: npx tsx test/bench/dns.ts)
 *   env: BENCH_SECONDS (15), BENCH_RUNS (3), BENCH_WORKERS ("1,2": dns.workers values to measure),
 *        BENCH_NSD ("1,2": NSD server-count values), BENCH_PDNS ("1,2": PowerDNS receiver-threads
 *        values), BENCH_DNSPERF_FLAGS (load flags, see dns-perf.ts), BENCH_NODE (the node binary
 *        that runs our server, e.g. a Node 24 one for dgram's reusePort; default this process's),
 *        BENCH_BASE_CLI (a copy of an earlier dist/understudy.mjs: measured as "base" in the same
 *        rotation, for before/after figures on a noisy machine), BENCH_BASE_NODE (its node binary),
 *        BENCH_UDP_IO (dns.udpIo for ours, default the config default), BENCH_BASE_UDP_IO (with it,
 *        "base" is this same build with that dns.udpIo, e.g. dgram against batched, when no
 *        BENCH_BASE_CLI is given)
 *        BENCH_MODE=geo: the steering benchmark instead (dns-geo.ts)
 *   Our server is the built CLI: `understudy dns --config <bench zone>`. dnsperf is installed through
 *   apt when missing; NSD and PowerDNS are not installed, only skipped with a hint.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reapedChildrenCpuSeconds, treeCpuSeconds } from './dns-proc.js';
import { dnsperfArgs, ensureDnsperf, runDnsperf } from './dns-perf.js';
import type { PerfResult } from './dns-perf.js';
import {
  missingPeers,
  nsdAvailable,
  pdnsAvailable,
  startNsd,
  startOurs,
  startPdnsState,
} from './dns-servers.js';
import type { RunningServer } from './dns-servers.js';
import { BENCH_APEX, BENCH_QUERIES, benchZoneState } from './dns-zone.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const list = (v: string): number[] => v.split(',').filter(Boolean).map(Number);
/** Our server's node:cluster worker counts to measure, e.g. "1" or "1,2". */
const workerCounts = list(process.env.BENCH_WORKERS ?? '1,2');
/** NSD server-count values to measure. */
const nsdCounts = list(process.env.BENCH_NSD ?? '1,2');
/** PowerDNS receiver-threads values to measure. */
const pdnsCounts = list(process.env.BENCH_PDNS ?? '1,2');
const node = process.env.BENCH_NODE ?? process.execPath;
const baseCli = process.env.BENCH_BASE_CLI;
const baseNode = process.env.BENCH_BASE_NODE ?? node;
const udpIo = process.env.BENCH_UDP_IO;
const baseUdpIo = process.env.BENCH_BASE_UDP_IO;

interface Measured extends PerfResult {
  name: string;
  /** Processes answering queries: ours' workers or NSD's server-count. */
  processes: number;
  cpuUsPerQuery: number;
  /** Server CPU seconds per wall second. */
  cpuUtil: number;
  /** dnsperf's CPU seconds per wall second: near its thread count, the load generator is the limit. */
  perfUtil: number;
}

interface Contender {
  processes: number;
  start: () => Promise<RunningServer>;
}

async function measure(c: Contender, queryFile: string): Promise<Measured> {
  const server = await c.start();
  try {
    const cpu0 = treeCpuSeconds(server.pid);
    const perfCpu0 = reapedChildrenCpuSeconds();
    const t0 = process.hrtime.bigint();
    const perf = await runDnsperf(dnsperfArgs(server.port, queryFile, seconds), seconds);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = treeCpuSeconds(server.pid) - cpu0;
    const perfCpu = reapedChildrenCpuSeconds() - perfCpu0;
    return {
      name: server.name,
      processes: c.processes,
      ...perf,
      cpuUsPerQuery: (cpu * 1e6) / Math.max(1, perf.completed),
      cpuUtil: cpu / wall,
      perfUtil: perfCpu / wall,
    };
  } finally {
    await server.stop();
  }
}

function line(m: Measured): string {
  return (
    `  ${m.name.padEnd(7)} ${m.qps.toFixed(0).padStart(8)} qps  server CPU ${m.cpuUtil.toFixed(2)}` +
    `  ${m.cpuUsPerQuery.toFixed(2).padStart(6)} µs CPU/query  avg ${m.avgLatencyMs.toFixed(3)} ms` +
    `  lost ${m.lost}  dnsperf CPU ${m.perfUtil.toFixed(2)}`
  );
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

interface Ratio {
  pair: string;
  qps: number;
  cpu: number;
}

/** Each ours×N against base×N, and against each peer with one process and with N. */
function ratios(results: Measured[]): Ratio[] {
  const out: Ratio[] = [];
  for (const o of results.filter((m) => m.name.startsWith('ours'))) {
    for (const peer of ['base', 'nsd', 'pdns']) {
      const against = results.filter(
        (m) =>
          m.name.startsWith(peer) && (m.processes === o.processes || (peer !== 'base' && m.processes === 1)),
      );
      for (const n of against)
        out.push({
          pair: `${o.name}/${n.name}`,
          qps: o.qps / n.qps,
          cpu: o.cpuUsPerQuery / n.cpuUsPerQuery,
        });
    }
  }
  return out;
}

function nodeVersion(bin: string): string {
  return bin === process.execPath
    ? process.version
    : execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  ensureDnsperf();
  const dir = mkdtempSync(join(tmpdir(), 'understudy-bench-dns-'));
  const zs = benchZoneState();
  const queryFile = join(dir, 'queries.txt');
  writeFileSync(queryFile, `${BENCH_QUERIES.join('\n')}\n`);
  const contenders: Contender[] = workerCounts.map((w) => ({
    processes: w,
    start: () => startOurs(w, BENCH_APEX, { node, ...(udpIo ? { udpIo } : {}) }),
  }));
  if (baseCli || baseUdpIo)
    for (const w of workerCounts)
      contenders.push({
        processes: w,
        start: () =>
          startOurs(w, BENCH_APEX, {
            node: baseNode,
            name: 'base',
            ...(baseCli ? { cli: baseCli } : {}),
            ...(baseUdpIo ? { udpIo: baseUdpIo } : {}),
          }),
      });
  if (nsdAvailable())
    for (const n of nsdCounts) contenders.push({ processes: n, start: () => startNsd(zs, n) });
  if (pdnsAvailable())
    for (const n of pdnsCounts) contenders.push({ processes: n, start: () => startPdnsState(zs, n) });
  console.log(`dnsperf ${dnsperfArgs(0, 'queries.txt', seconds).join(' ').replace('-p 0', '-p <port>')}`);
  console.log(
    `${runs} runs of ${seconds} s; ours (node ${nodeVersion(node)}) with ${workerCounts.join(' / ')} worker(s)` +
      (nsdAvailable() ? `; NSD with server-count ${nsdCounts.join(' / ')}` : '') +
      (pdnsAvailable() ? `; PowerDNS with receiver-threads ${pdnsCounts.join(' / ')}` : '') +
      (udpIo ? `; ours with dns.udpIo ${udpIo}` : '') +
      (baseCli || baseUdpIo
        ? `; base: ${baseCli ?? 'this build'} on node ${nodeVersion(baseNode)}` +
          (baseUdpIo ? ` with dns.udpIo ${baseUdpIo}` : '')
        : ''),
  );
  for (const hint of missingPeers()) console.log(`skipped, not installed: ${hint}`);
  const all: Measured[] = [];
  const summary: Ratio[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      console.log(`run ${run}`);
      // Rotate the order so a drifting background load does not always favour the same server.
      const results: Measured[] = [];
      for (const c of rotate(contenders, run - 1)) {
        const m = await measure(c, queryFile);
        console.log(line(m));
        results.push(m);
      }
      all.push(...results);
      for (const r of ratios(results)) {
        summary.push(r);
        console.log(`  ${r.pair}: QPS ${r.qps.toFixed(2)}, CPU/query ${r.cpu.toFixed(2)}`);
      }
    }
    console.log('medians');
    for (const name of [...new Set(all.map((m) => m.name))]) {
      const ms = all.filter((m) => m.name === name);
      console.log(
        `  ${name.padEnd(7)} ${median(ms.map((m) => m.qps))
          .toFixed(0)
          .padStart(
            8,
          )} qps  server CPU ${median(ms.map((m) => m.cpuUtil)).toFixed(2)}  ${median(ms.map((m) => m.cpuUsPerQuery)).toFixed(2)} µs CPU/query`,
      );
    }
    if (summary.length > 0) console.log('median ratios over the runs');
    for (const pair of [...new Set(summary.map((r) => r.pair))]) {
      const rs = summary.filter((r) => r.pair === pair);
      console.log(
        `  ${pair.padEnd(14)} QPS ${median(rs.map((r) => r.qps)).toFixed(2)}  CPU/query ${median(rs.map((r) => r.cpu)).toFixed(2)}` +
          `  (QPS per run: ${rs.map((r) => r.qps.toFixed(2)).join(' ')})`,
      );
    }
    console.log('targets: QPS ≥ 1.0 × PowerDNS and ≥ 0.8 × NSD in the same run; server CPU ≤ 10 µs/query');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// BENCH_MODE=geo: steering by client location against the plain fast path (issue 14 part 3).
if (process.env.BENCH_MODE === 'geo') await (await import('./dns-geo.js')).geoBench();
else await main();
