/**
 * Where a process spent its CPU during one window of a benchmark: reads the .cpuprofile files `node
 * --cpu-prof` wrote and sums self time by function over the samples inside [from, to] (µs on the
 * monotonic clock that V8's profiler and process.hrtime share, across processes). bench:scale uses it to
 * profile only its change cycles, not the start-up or the dnsperf runs around them.
 *
 *   npx tsx test/bench/cpu-profile-window.ts DIR [fromUs toUs]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The monotonic clock of the profiles, in µs. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

function label(n: ProfileNode): string {
  const f = n.callFrame;
  const file = f.url.split('/').pop() ?? '';
  return `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
}

/** Self time (ms) by function inside the window, the busiest first, and the window's total busy time. */
export function windowSelfTimes(
  profile: CpuProfile,
  fromUs: number,
  toUs: number,
): { busyMs: number; top: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let t = profile.startTime;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < fromUs || t > toUs) continue;
    const n = byId.get(profile.samples[i]!)!;
    const name = label(n);
    if (name.startsWith('(idle)')) continue;
    // A sample stands for the time since the previous one.
    self.set(name, (self.get(name) ?? 0) + dt / 1000);
    if (!name.startsWith('(program)')) busy += dt / 1000;
  }
  return { busyMs: busy, top: [...self].sort((a, b) => b[1] - a[1]) };
}

/** One paragraph per profile in `dir`: busy ms in the window and its `topN` functions by self time. */
export function summarizeProfiles(dir: string, fromUs: number, toUs: number, topN = 12): string[] {
  const out: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    if (p.endTime < fromUs || p.startTime > toUs) continue;
    const { busyMs, top } = windowSelfTimes(p, fromUs, toUs);
    out.push(`  ${file}: ${busyMs.toFixed(0)} ms of JS/GC in the window`);
    for (const [name, ms] of top.slice(0, topN)) out.push(`    ${ms.toFixed(1).padStart(8)} ms  ${name}`);
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, from, to] = process.argv.slice(2);
  if (!dir) throw new Error('usage: cpu-profile-window.ts DIR [fromUs toUs]');
  console.log(summarizeProfiles(dir, Number(from ?? 0), Number(to ?? Infinity), 25).join('\n'));
}
