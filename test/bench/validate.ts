/**
 * bench:validate — what loading and validating a config costs, on bench:scale's generated configs
 * (each DNS worker loads the config itself, so this is on the start-up path). For each size, runs
 * `understudy validate FILE` from the built bundle and prints wall time, CPU (user + sys) and peak RSS,
 * the median of `--runs`; then, in this process, the phases of parseConfig and the heap it leaves.
 * `--baseline PATH` runs another build of the CLI (say, of an older commit) side by side, alternating.
 *
 *   npm run bench:validate [-- --sizes 11000,110000] [--runs 3] [--baseline /tmp/old/dist/understudy.mjs]
 */
import { spawnSync, type SpawnSyncOptionsWithStringEncoding } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseConfig } from '@understudy/config';
import { CHECKS, configYaml, zoneOf } from './scale-config.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '11000,110000' },
    runs: { type: 'string', default: '3' },
    baseline: { type: 'string' },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const RUNS = Number(args.runs);
const CLI = fileURLToPath(new URL('../../dist/understudy.mjs', import.meta.url));
const TIME = '/usr/bin/time';
/** The report itself is not measured: older builds printed a line per warning (22,000 at 110,000 records). */
const OUTPUT: SpawnSyncOptionsWithStringEncoding = { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] };

interface Run {
  wallS: number;
  cpuS: number;
  rssMb: number;
}

/** One `validate` run; CPU and peak RSS from GNU time when the machine has it. */
function validate(cli: string, file: string): Run {
  const t = performance.now();
  const withTime = existsSync(TIME);
  const r = withTime
    ? spawnSync(TIME, ['-f', '@@ %U %S %M', process.execPath, cli, 'validate', file], OUTPUT)
    : spawnSync(process.execPath, [cli, 'validate', file], OUTPUT);
  const wallS = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`validate failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const m = /@@ ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return m
    ? { wallS, cpuS: Number(m[1]) + Number(m[2]), rssMb: Number(m[3]) / 1024 }
    : { wallS, cpuS: NaN, rssMb: NaN };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const show = (label: string, runs: Run[]): string =>
  `${label}: wall ${median(runs.map((r) => r.wallS)).toFixed(2)} s · CPU ${median(runs.map((r) => r.cpuS)).toFixed(2)} s · ` +
  `peak RSS ${median(runs.map((r) => r.rssMb)).toFixed(0)} MB`;

/** parseConfig in this process: its CPU time, and the heap it leaves once the garbage is gone. */
function inProcess(text: string): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  const loaded = parseConfig(text, { env: {} });
  const c = process.cpuUsage(c0);
  gc?.();
  const kept = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  const keptText = gc ? `${kept.toFixed(0)} MB of heap kept by the config` : 'heap: run with --expose-gc';
  return `parseConfig in-process: CPU ${((c.user + c.system) / 1e6).toFixed(2)} s · ${keptText} · ${loaded.warnings.length} warning(s)`;
}

const dir = mkdtempSync(join(tmpdir(), 'understudy-bench-validate-'));
try {
  const checkPorts = Array.from({ length: CHECKS }, (_, k) => 20_000 + k);
  for (const size of SIZES) {
    const z = zoneOf(size);
    const file = join(dir, `scale-${size}.yaml`);
    writeFileSync(file, configYaml(z, 5300, 8080, checkPorts, dir));
    const ours: Run[] = [];
    const base: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(validate(CLI, file));
      if (args.baseline) base.push(validate(args.baseline, file));
    }
    console.log(`${size} records (${z.statics} static + ${z.failovers} failover), median of ${RUNS}:`);
    console.log(`  ${show('this build', ours)}`);
    if (args.baseline) console.log(`  ${show(`baseline ${args.baseline}`, base)}`);
    console.log(`  ${inProcess(readFileSync(file, 'utf8'))}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
