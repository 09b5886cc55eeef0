/** Runs dnsperf once and parses its summary. */
import { execFile } from 'node:child_process';

export interface PerfResult {
  qps: number;
  avgLatencyMs: number;
  completed: number;
  lost: number;
}

/**
 * Load flags: one client socket and up to 200 queries in flight, enough to keep a single-threaded
 * server busy without dnsperf taking more than its share of a 2-core machine. BENCH_DNSPERF_FLAGS
 * replaces them (e.g. "-c 4 -q 400").
 */
export const DEFAULT_LOAD_FLAGS = '-c 1 -T 1 -q 200';

export function dnsperfArgs(port: number, queryFile: string, seconds: number): string[] {
  const load = (process.env.BENCH_DNSPERF_FLAGS ?? DEFAULT_LOAD_FLAGS).split(/\s+/).filter(Boolean);
  return ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), ...load];
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
