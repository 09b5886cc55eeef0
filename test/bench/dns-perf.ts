/** Runs dnsperf once and parses its summary; installs dnsperf through apt when it is missing. */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface PerfResult {
  qps: number;
  avgLatencyMs: number;
  completed: number;
  lost: number;
}

/**
 * Load flags, chosen by measurement on the 2-core bench machine (5 s runs of ours and NSD, each with
 * one process). With `-c 1 -T 1 -q 200` dnsperf's single thread round trips set the pace: both servers
 * idled at ~0.5 CPU. Two threads over 4 sockets with 500 queries in flight brought ours to ~0.9 CPU
 * and NSD to ~0.75 (dnsperf itself then takes ~0.9 of the 2 cores, so NSD, which needs half our CPU
 * per query, cannot reach 1.0 here); 1000 or more in flight made NSD lose queries and added only
 * queueing latency. BENCH_DNSPERF_FLAGS replaces them.
 */
export const DEFAULT_LOAD_FLAGS = '-c 4 -T 2 -q 500';

export function dnsperfArgs(port: number, queryFile: string, seconds: number): string[] {
  const load = (process.env.BENCH_DNSPERF_FLAGS ?? DEFAULT_LOAD_FLAGS).split(/\s+/).filter(Boolean);
  return ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), ...load];
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** apt-get as root, or through `sudo -n` (never prompting), non-interactive. */
function aptGet(args: string[]): void {
  const apt = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
  const argv = process.getuid?.() === 0 ? apt : ['sudo', '-n', ...apt];
  console.log(`$ ${argv.join(' ')}`);
  execFileSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
}

/** dnsperf is the load generator: without it there is no benchmark, so install it (Debian: dnsperf). */
export function ensureDnsperf(): void {
  if (onPath('dnsperf')) return;
  console.log('dnsperf not found: installing it with apt-get');
  try {
    aptGet(['install', '-y', 'dnsperf']);
  } catch {
    // A fresh machine may have no package lists yet.
    aptGet(['update']);
    aptGet(['install', '-y', 'dnsperf']);
  }
  if (!onPath('dnsperf')) throw new Error('dnsperf is still not on PATH after apt-get install dnsperf');
}

function field(out: string, re: RegExp): number {
  const m = re.exec(out);
  if (!m) throw new Error(`dnsperf output lacks ${re.source}:\n${out}`);
  return Number(m[1]);
}

export function runDnsperf(args: string[], seconds: number): Promise<PerfResult> {
  return new Promise((resolve, reject) => {
    execFile('dnsperf', args, { timeout: (seconds + 30) * 1000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`dnsperf failed: ${err.message}\n${stderr}`));
        return;
      }
      try {
        resolve({
          qps: field(stdout, /Queries per second:\s+([\d.]+)/),
          avgLatencyMs: field(stdout, /Average Latency \(s\):\s+([\d.]+)/) * 1000,
          completed: field(stdout, /Queries completed:\s+(\d+)/),
          lost: field(stdout, /Queries lost:\s+(\d+)/),
        });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}
