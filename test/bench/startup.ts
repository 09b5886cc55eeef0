/**
 * bench:startup — what starting the `understudy` CLI costs (issue 12 §2; targets: `--version` < 150 ms,
 * `validate` < 400 ms). Runs the built bundle on the Node running this script and prints, the median of
 * `--runs`:
 *   --version   wall time and peak RSS of `understudy --version`
 *   validate    wall time and peak RSS of `understudy validate examples/understudy.example.yaml`
 *   dns worker  the RSS of each idle DNS worker (and of the main process) of `understudy run` on a
 *               generated zone of --records records, 1 by default (dns.workers 2), 3 s after its first DNS answer; and their PSS
 *               (shared pages, such as the node binary's, split between the processes that map them)
 * `--cli PATH` measures another build (say, of an older commit: `git worktree add` + `npm run build`).
 *
 *   npm run bench:startup [-- --runs 9] [--records 1] [--cli /tmp/old/dist/understudy.mjs]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { APEX, CHECKS, configYaml, zoneOf } from './scale-config.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    /** The zone of the idle-worker measure: issue 11's target is set on a 1-record zone. */
    records: { type: 'string', default: '1' },
    cli: { type: 'string', default: fileURLToPath(new URL('../../dist/understudy.mjs', import.meta.url)) },
  },
});
const RUNS = Number(args.runs);
const RECORDS = Number(args.records);
const CLI = args.cli;
const EXAMPLE = fileURLToPath(new URL('../../examples/understudy.example.yaml', import.meta.url));
const TIME = '/usr/bin/time';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * One run of the CLI: wall time, and CPU time (user + sys) and peak RSS from GNU time when the machine has
 * it. On a loaded machine the CPU time is the steadier figure: wall time includes waiting for a core.
 */
function once(cliArgs: string[]): { ms: number; cpuMs: number; rssMb: number } {
  const withTime = existsSync(TIME);
  const cmd = withTime ? TIME : process.execPath;
  const argv = withTime ? ['-f', '@@ %M %U %S', process.execPath, CLI, ...cliArgs] : [CLI, ...cliArgs];
  const t = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`understudy ${cliArgs.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /@@ (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return m
    ? { ms, cpuMs: (Number(m[2]) + Number(m[3])) * 1000, rssMb: Number(m[1]) / 1024 }
    : { ms, cpuMs: NaN, rssMb: NaN };
}

function measure(label: string, cliArgs: string[]): void {
  once(cliArgs); // warm the page cache
  const runs = Array.from({ length: RUNS }, () => once(cliArgs));
  console.log(
    `${label.padEnd(10)} wall ${median(runs.map((r) => r.ms)).toFixed(0)} ms (min ${Math.min(...runs.map((r) => r.ms)).toFixed(0)}) · ` +
      `CPU ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms · peak RSS ${median(runs.map((r) => r.rssMb)).toFixed(0)} MB · median of ${RUNS}`,
  );
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const children = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
const rssOf = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
/**
 * Proportional set size: each shared page (the `node` binary's text, about 42 MB, is the same file in
 * every process of the tree) counted once across the processes that map it, not once in each.
 */
const pssOf = (pid: number): number => {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

/** RssAnon / RssFile / RssShmem of /proc/PID/status (MB): what the process made vs. mapped files. */
const rssSplitOf = (pid: number): string => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): string => {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(status);
    return m ? (Number(m[1]) / 1024).toFixed(1) : '?';
  };
  return `anon ${kb('RssAnon')} file ${kb('RssFile')} shmem ${kb('RssShmem')}`;
};

function answers(port: number): boolean {
  try {
    const out = execFileSync(
      'dig',
      ['+short', '+time=1', '+tries=1', '-p', String(port), '@127.0.0.1', `s0.${APEX}`, 'A'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    return out.trim().length > 0;
  } catch {
    return false;
  }
}

async function dnsWorkers(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-bench-startup-'));
  const dnsPort = await freePort();
  const config = join(dir, 'understudy.yaml');
  const checkPorts: number[] = [];
  for (let k = 0; k < CHECKS; k++) checkPorts.push(await freePort()); // nothing listens: every check fails
  writeFileSync(config, configYaml(zoneOf(RECORDS), dnsPort, await freePort(), checkPorts, dir));
  const app = spawn(process.execPath, [CLI, 'run', '--config', config], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const deadline = Date.now() + 60_000;
    while (!answers(dnsPort)) {
      if (app.exitCode !== null) throw new Error(`understudy run exited (${app.exitCode})`);
      if (Date.now() > deadline) throw new Error('no DNS answer within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 3000)); // idle: let start-up garbage go
    const workers = children(app.pid!);
    console.log(
      `dns worker idle RSS ${workers.map((p) => `${rssOf(p).toFixed(0)} MB`).join(' + ')} ` +
        `(${workers.length} workers) · main process ${rssOf(app.pid!).toFixed(0)} MB · ${RECORDS}-record zone`,
    );
    const tree = [app.pid!, ...workers];
    console.log(
      `dns worker idle PSS ${workers.map((p) => `${pssOf(p).toFixed(0)} MB`).join(' + ')} · main process ` +
        `${pssOf(app.pid!).toFixed(0)} MB · tree RSS ${sum(tree.map(rssOf)).toFixed(0)} MB, PSS ${sum(tree.map(pssOf)).toFixed(0)} MB`,
    );
    // Where a worker's RSS is: anonymous memory (heap, code, stacks) against file pages (the node binary).
    console.log(`dns worker idle RSS split ${workers.map(rssSplitOf).join(' | ')} (MB)`);
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => (app.exitCode !== null ? r(null) : app.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `understudy start-up · node ${process.version} · ${CLI} · load average ${loadavg()[0]!.toFixed(1)}`,
);
measure('--version', ['--version']);
measure('validate', ['validate', EXAMPLE]);
await dnsWorkers();
