/**
 * Steering by client location (issue 14 part 3), `BENCH_MODE=geo npm run bench:dns`: server CPU per
 * query for steered answers against the plain fast path, with dnsperf. Each contender is its own
 * DnsServer process (dns-geo-server.ts), measured alone, in rotating order, BENCH_RUNS times:
 *   plain        a failover record, not steered; no ECS (the plain fast path)
 *   plain+ecs    the same with an ECS option in every query (echoed with scope 0)
 *   steered-ecs  the record steered; ECS 10.1.7.0/24 (an operator network: DE, rule 0)
 *   steered-db   the same with ECS 8.8.8.0/24 (read from the bundled database: US, rule 1)
 *   steered-src  steered; no ECS, so the resolver address (127.0.0.1, an operator network) decides
 * One subnet per contender: the location cache answers after the first query, as it does for a
 * resolver population that repeats. Target: steered ≤ 1.5 × plain CPU per query.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@understudy/testkit/ports';
import { treeCpuSeconds } from './dns-proc.js';
import { dnsperfArgs, ensureDnsperf, runDnsperf } from './dns-perf.js';
import { waitForAnswer } from './dns-servers.js';
import { BENCH_APEX } from './dns-zone.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const runs = Number(process.env.BENCH_RUNS ?? 3);
/** ECS option data (RFC 7871): family 1, source /24, scope 0, three address octets. */
const ecs = (a: number, b: number, c: number): string =>
  `8:00011800${[a, b, c].map((x) => x.toString(16).padStart(2, '0')).join('')}`;

interface Contender {
  name: string;
  mode: 'plain' | 'steered';
  ecs: string | null;
}

const contenders: Contender[] = [
  { name: 'plain', mode: 'plain', ecs: null },
  { name: 'plain+ecs', mode: 'plain', ecs: ecs(10, 1, 7) },
  { name: 'steered-ecs', mode: 'steered', ecs: ecs(10, 1, 7) },
  { name: 'steered-db', mode: 'steered', ecs: ecs(8, 8, 8) },
  { name: 'steered-src', mode: 'steered', ecs: null },
];

/** Resident memory of a process in MB (/proc: Linux). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

async function measure(c: Contender, queryFile: string): Promise<{ qps: number; us: number; rss: number }> {
  const port = await freePort('127.0.0.1', 'both');
  const script = fileURLToPath(new URL('./dns-geo-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(port), c.mode], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForAnswer(port, BENCH_APEX, 60_000);
    // Idle, after the base (and for steered, the database) is loaded: what steering costs in memory.
    const rss = rssMb(child.pid!);
    const cpu0 = treeCpuSeconds(child.pid!);
    const args = [...dnsperfArgs(port, queryFile, seconds), ...(c.ecs ? ['-E', c.ecs] : [])];
    const perf = await runDnsperf(args, seconds);
    const cpu = treeCpuSeconds(child.pid!) - cpu0;
    return { qps: perf.qps, us: (cpu * 1e6) / Math.max(1, perf.completed), rss };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
  }
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function geoBench(): Promise<void> {
  ensureDnsperf();
  const dir = mkdtempSync(join(tmpdir(), 'understudy-bench-geo-'));
  const queryFile = join(dir, 'queries.txt');
  writeFileSync(queryFile, `app.${BENCH_APEX} A\n`);
  console.log(`dnsperf ${dnsperfArgs(0, 'queries.txt', seconds).join(' ').replace('-p 0', '-p <port>')}`);
  console.log(`${runs} runs of ${seconds} s, query app.${BENCH_APEX} A; node ${process.version}`);
  const per = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const rss = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  try {
    for (let run = 0; run < runs; run++) {
      console.log(`run ${run + 1}`);
      const order = [
        ...contenders.slice(run % contenders.length),
        ...contenders.slice(0, run % contenders.length),
      ];
      for (const c of order) {
        const m = await measure(c, queryFile);
        per.get(c.name)!.push(m.us);
        rss.get(c.name)!.push(m.rss);
        console.log(
          `  ${c.name.padEnd(12)} ${m.qps.toFixed(0).padStart(7)} qps  ${m.us.toFixed(2)} µs CPU/query  idle RSS ${m.rss.toFixed(1)} MB`,
        );
      }
    }
    const plain = median(per.get('plain')!);
    console.log('medians (CPU per query, and against plain)');
    for (const [name, us] of per)
      console.log(
        `  ${name.padEnd(12)} ${median(us).toFixed(2)} µs  ×${(median(us) / plain).toFixed(2)}` +
          `  idle RSS ${median(rss.get(name)!).toFixed(1)} MB`,
      );
    console.log('target: steered ≤ 1.5 × plain');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
