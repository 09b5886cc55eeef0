/**
 * bench:scale — what a zone's size costs. For each size (1,100 / 11,000 / 110,000 records by default,
 * 10 % of them failover records whose primaries share 10 TCP checks), runs the real `understudy run`
 * (embedded, dns.workers 2) from the built bundle and prints:
 *   validate          `understudy validate` of the generated config, wall time
 *   first answer      spawn → the first UDP answer for a static name; ready = spawn → /readyz 200
 *   idle RSS          of the whole process tree (main + DNS workers) 5 s after ready, and NSD's
 *   QPS, CPU/query    dnsperf on a mix of 80 % static names, 10 % failover names, 10 % NXDOMAIN,
 *                     against ours and NSD (server-count 2) serving the same names
 *   per change        one check going down and back up flips 10 % of the failover records:
 *                     switchedAt → publishedAt (every DNS worker serves it), the p99 and worst latency and the
 *                     lost queries of a static name queried every 20 ms meanwhile, and the tree's CPU
 *   publish breakdown  where each change's time went (understudy_dns_publish_stage_seconds, read from
 *                     /metrics per change): decide (decision → the DNS role has the update: evaluation,
 *                     the store's commit and fsyncs), handoff, then per worker ipc, queue, plan, encode,
 *                     paused (queries answered between slices), commit, ack; p50/max over the changes
 *   --profile DIR      CPU profiles of the app and its workers; prints each one's top functions during
 *                     the change cycles only (cpu-profile-window.ts)
 *   --app-stdout FILE  the app's stdout (its JSON log; --trace-gc or --trace-deopt output when given in
 *                     --node-flags) goes to FILE instead of nowhere
 *
 *   npm run bench:scale [-- --sizes 1100,11000] [--cycles 3] [--seconds 10] [--profile DIR] [--cli FILE]
 *                       [--app-stdout FILE] [--node-flags=…]  (default --min-semi-space-size=8, as the shipped launchers run it;
 *                       --node-flags= runs plain `node`)
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '@understudy/testkit/ports';
import { monotonicUs, summarizeProfiles } from './cpu-profile-window.js';
import { dnsperfArgs, ensureDnsperf, runDnsperf } from './dns-perf.js';
import { processTree, treeCpuSeconds } from './dns-proc.js';
import { NSD_BINARY, startNsdZones } from './dns-servers.js';
import { APEX, CHECKS, configYaml, ip, zoneOf, type Zone } from './scale-config.js';
import { breakdown, stageMeans, stageTotals, type Totals } from './publish-stages.js';
import { fmt, summarize } from './stats.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1100,11000,110000' },
    cycles: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    /** Writes CPU profiles of the app and its DNS workers here (node --cpu-prof), to see where a change goes. */
    profile: { type: 'string' },
    /** Node flags for the app: by default those the shipped launchers give it (infra/understudy.service). */
    'node-flags': { type: 'string', default: '--min-semi-space-size=8' },
    /** The app's stdout (its JSON log, and e.g. --trace-gc given in --node-flags) goes to this file. */
    'app-stdout': { type: 'string' },
    /** Another build's understudy.mjs, to compare two builds on the same machine, e.g. a copy of dist/. */
    cli: { type: 'string' },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const CYCLES = Number(args.cycles);
const PERF_SECONDS = Number(args.seconds);
const CLI = args.cli ?? fileURLToPath(new URL('../../dist/understudy.mjs', import.meta.url));

function nsdZone(z: Zone): string {
  const out = [
    `${APEX} 3600 IN SOA ns1.${APEX} hostmaster.${APEX} 1 3600 600 86400 60`,
    `${APEX} 3600 IN NS ns1.${APEX}`,
    `ns1.${APEX} 3600 IN A 127.0.0.1`,
  ];
  for (let i = 0; i < z.statics; i++) out.push(`s${i}.${APEX} 300 IN A ${ip(10, i)}`);
  for (let i = 0; i < z.failovers; i++) out.push(`f${i}.${APEX} 30 IN A ${ip(172, i)}`);
  return `${out.join('\n')}\n`;
}

/** 80 % existing static names, 10 % failover names, 10 % names that do not exist. */
function queryMix(z: Zone): string {
  const out: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const r = i % 10;
    if (r === 8) out.push(`f${(i * 7919) % z.failovers}.${APEX} A`);
    else if (r === 9) out.push(`nx${i}.${APEX} A`);
    else out.push(`s${(i * 104729) % z.statics}.${APEX} A`);
  }
  return `${out.join('\n')}\n`;
}

function rssMb(root: number): { total: number; parts: number[] } {
  const parts = processTree(root).map((pid) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  });
  return { total: parts.reduce((a, b) => a + b, 0), parts };
}

function udpQuery(
  port: number,
  name: string,
  timeoutMs: number,
): Promise<{ ms: number; answer: string | null }> {
  const labels = name.slice(0, -1).split('.');
  const id = Math.floor(Math.random() * 65535);
  const q = Buffer.concat([
    Buffer.from([id >> 8, id & 255, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0, 0, 1, 0, 1]),
  ]);
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const t0 = performance.now();
    const done = (answer: string | null) => {
      clearTimeout(timer);
      sock.close();
      resolve({ ms: performance.now() - t0, answer });
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('error', () => done(null));
    sock.on('message', (msg) => {
      // The last 4 bytes of a one-A answer are the address.
      const ancount = msg.readUInt16BE(6);
      done(ancount > 0 ? [...msg.subarray(msg.length - 4)].join('.') : '');
    });
    sock.send(q, port, '127.0.0.1');
  });
}

async function until<T>(
  what: string,
  fn: () => Promise<T | null>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface RecordView {
  id: string;
  active: string;
  switchedAt: number | null;
  publishedAt: Record<string, number>;
}

async function recordView(httpPort: number, id: string): Promise<RecordView | null> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/status?record=${encodeURIComponent(id)}`);
  if (!res.ok) return null;
  const body = (await res.json()) as { records: RecordView[] };
  return body.records.find((r) => r.id === id) ?? null;
}

/** Flips check c0 (10 % of the failover records) down, then back up; measures each change. */
async function changeCycle(
  pid: number,
  dnsPort: number,
  httpPort: number,
  listener: { down(): Promise<void>; up(): Promise<void> },
): Promise<{
  publishMs: number[];
  stages: Record<string, number>[];
  worstMs: number;
  /** Every answered static-name query's latency during the cycle (both publishes and between them). */
  latencies: number[];
  lost: number;
  sent: number;
  cpu: number;
}> {
  const id = `f0.${APEX}/A`;
  const publishMs: number[] = [];
  const stages: Record<string, number>[] = [];
  let totals = await stageTotals(httpPort);
  let worst = 0;
  const latencies: number[] = [];
  let lost = 0;
  let sent = 0;
  let pinging = true;
  const pinger = (async () => {
    while (pinging) {
      const t = Date.now();
      const r = await udpQuery(dnsPort, `s0.${APEX}`, 2000);
      sent++;
      if (r.answer === null) lost++;
      else {
        worst = Math.max(worst, r.ms);
        latencies.push(r.ms);
      }
      await new Promise((res) => setTimeout(res, Math.max(0, 20 - (Date.now() - t))));
    }
  })();
  const cpu0 = treeCpuSeconds(pid);
  try {
    for (const [flip, want] of [
      [() => listener.down(), 'secondary'],
      [() => listener.up(), 'primary'],
    ] as const) {
      const before = await recordView(httpPort, id);
      await flip();
      // Wait on DNS first (a UDP query is cheap), then read /status: at 110,000 records its body is
      // megabytes, and polling it every 200 ms kept the main process busy during the very publish measured.
      // publishedAt and switchedAt are the app's own timestamps, so reading them late changes nothing.
      const address = want === 'primary' ? ip(172, 0) : ip(100, 0);
      await until(
        `f0.${APEX} answering ${address}`,
        async () => ((await udpQuery(dnsPort, `f0.${APEX}`, 500)).answer === address ? 1 : null),
        120_000,
        20,
      );
      // Then on /metrics (small) until every worker serves it: a /status read is megabytes of JSON on the
      // main process, and one taken before the last worker's acknowledgement is handled would delay it.
      const published = (t: Totals) => t.get('decide')?.count ?? 0;
      await until(
        'the publish breakdown of the change',
        async () => (published(await stageTotals(httpPort)) > published(totals) ? 1 : null),
        120_000,
        50,
      );
      const v = await until(
        `${id} on ${want}, published`,
        async () => {
          const r = await recordView(httpPort, id);
          const at = r ? Object.values(r.publishedAt) : [];
          return r && r.active === want && r.switchedAt !== before?.switchedAt && at.length > 0 ? r : null;
        },
        120_000,
        1000,
      );
      publishMs.push(Math.max(...Object.values(v.publishedAt)) - v.switchedAt!);
      const now = await stageTotals(httpPort);
      stages.push(stageMeans(totals, now));
      totals = now;
    }
  } finally {
    pinging = false;
    await pinger;
  }
  return { publishMs, stages, worstMs: worst, latencies, lost, sent, cpu: (treeCpuSeconds(pid) - cpu0) / 2 };
}

async function checkListeners(n: number) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const port = await freePort('127.0.0.1', 'tcp');
      let server: net.Server | null = null;
      const up = () =>
        new Promise<void>((resolve, reject) => {
          server = net.createServer((s) => s.destroy());
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => resolve());
        });
      const down = () =>
        new Promise<void>((resolve) => {
          if (!server) return resolve();
          server.close(() => resolve());
          server = null;
        });
      await up();
      return { port, up, down };
    }),
  );
}

async function perf(pid: number, port: number, queryFile: string) {
  const cpu0 = treeCpuSeconds(pid);
  const r = await runDnsperf(dnsperfArgs(port, queryFile, PERF_SECONDS), PERF_SECONDS);
  return { qps: r.qps, lost: r.lost, cpuUs: ((treeCpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, r.completed) };
}

async function measureSize(size: number): Promise<string[]> {
  const z = zoneOf(size);
  const dir = mkdtempSync(join(tmpdir(), `understudy-bench-scale-${size}-`));
  const listeners = await checkListeners(CHECKS);
  const dnsPort = await freePort('127.0.0.1', 'both');
  const httpPort = await freePort('127.0.0.1', 'tcp');
  const config = join(dir, 'scale.yaml');
  writeFileSync(
    config,
    configYaml(
      z,
      dnsPort,
      httpPort,
      listeners.map((l) => l.port),
      dir,
    ),
  );
  const queries = join(dir, 'queries.txt');
  writeFileSync(queries, queryMix(z));
  const out: string[] = [];
  /** The change cycles, on the profiles' clock: --profile summarizes only them. */
  const cyclesWindow = { from: 0, to: 0 };
  let t = performance.now();
  execFileSync(process.execPath, [CLI, 'validate', config], { stdio: 'ignore', maxBuffer: 1 << 28 });
  const validateMs = performance.now() - t;

  t = performance.now();
  const profile = [
    ...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : []),
    ...args['node-flags'].split(' ').filter(Boolean),
  ];
  const app = spawn(process.execPath, [...profile, CLI, 'run', '--config', config], {
    stdio: ['ignore', args['app-stdout'] ? openSync(args['app-stdout'], 'w') : 'ignore', 'inherit'],
  });
  app.on('error', () => undefined);
  try {
    await until(
      'the first answer',
      async () => ((await udpQuery(dnsPort, `s0.${APEX}`, 300)).answer ? 1 : null),
      300_000,
      50,
    );
    const firstMs = performance.now() - t;
    await until(
      '/readyz',
      async () => ((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok ? 1 : null),
      300_000,
    );
    const readyMs = performance.now() - t;
    await new Promise((r) => setTimeout(r, 5000));
    const rss = rssMb(app.pid!);
    out.push(
      `${size} records (${z.statics} static + ${z.failovers} failover): validate ${(validateMs / 1000).toFixed(2)} s · ` +
        `first answer ${(firstMs / 1000).toFixed(2)} s · ready ${(readyMs / 1000).toFixed(2)} s · ` +
        `idle RSS ${rss.total.toFixed(0)} MB (${rss.parts.map((p) => p.toFixed(0)).join(' + ')})`,
    );
    console.log(out.at(-1));
    const ours = await perf(app.pid!, dnsPort, queries);
    let nsdLine = 'NSD not installed';
    if (existsSync(NSD_BINARY)) {
      const nsd = await startNsdZones([{ apex: APEX, text: nsdZone(z) }], 2, 60_000);
      try {
        const nsdRss = rssMb(nsd.pid);
        const theirs = await perf(nsd.pid, nsd.port, queries);
        nsdLine =
          `NSD ${theirs.qps.toFixed(0)} qps · ${theirs.cpuUs.toFixed(1)} µs CPU/query · RSS ${nsdRss.total.toFixed(0)} MB` +
          ` → QPS ours/NSD ${(ours.qps / theirs.qps).toFixed(2)}`;
      } finally {
        await nsd.stop();
      }
    }
    out.push(
      `  ours ${ours.qps.toFixed(0)} qps · ${ours.cpuUs.toFixed(1)} µs CPU/query (lost ${ours.lost}) · ${nsdLine}`,
    );
    console.log(out.at(-1));
    const cycles = [];
    cyclesWindow.from = monotonicUs();
    for (let c = 0; c < CYCLES; c++)
      cycles.push(await changeCycle(app.pid!, dnsPort, httpPort, listeners[0]!));
    cyclesWindow.to = monotonicUs();
    const publish = summarize(cycles.flatMap((c) => c.publishMs));
    const stages = cycles.flatMap((c) => c.stages);
    out.push(
      `  per change (${cycles.length * 2} changes of ${z.failovers / CHECKS} records): switchedAt → publishedAt ` +
        `p50 ${fmt(publish.p50)} ms, max ${fmt(publish.max)} ms (in order: ${cycles.flatMap((c) => c.publishMs).join(', ')}) · static-name latency p99 ${fmt(summarize(cycles.flatMap((c) => c.latencies)).p99)} ms, worst ${Math.max(...cycles.map((c) => c.worstMs)).toFixed(0)} ms · ` +
        `lost ${cycles.reduce((n, c) => n + c.lost, 0)} of ${cycles.reduce((n, c) => n + c.sent, 0)} · ` +
        `tree CPU ${(cycles.reduce((n, c) => n + c.cpu, 0) / cycles.length).toFixed(2)} s per change`,
      `  publish breakdown, ms per change, p50/max (worker stages: mean of the workers): ${breakdown(stages)}`,
    );
    console.log(out.slice(-2).join('\n'));
  } finally {
    await stop(app);
    await Promise.all(listeners.map((l) => l.down()));
    rmSync(dir, { recursive: true, force: true });
  }
  if (args.profile && cyclesWindow.to > 0) {
    const lines = [
      `  CPU during the change cycles (${cyclesWindow.from}-${cyclesWindow.to} µs), by process (profiles in ${args.profile}):`,
      ...summarizeProfiles(args.profile, cyclesWindow.from, cyclesWindow.to),
    ];
    out.push(...lines);
    console.log(lines.join('\n'));
  }
  return out;
}

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm run bench:scale does)`);
ensureDnsperf();
const report: string[] = [];
for (const size of SIZES) report.push(...(await measureSize(size)));
console.log(`\nbench:scale summary (${new Date().toISOString()})\n${report.join('\n')}`);
