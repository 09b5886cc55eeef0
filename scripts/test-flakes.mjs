#!/usr/bin/env node
// The flake hunt: run the integration project several times in a row, then once more while every core
// is kept busy by a CPU-bound process this script starts (and always stops). A test that fails in any run
// is a flake to fix by waiting on its condition, injecting its clock or widening a real tolerance; never
// by loosening what it asserts or retrying it.
//
//   npm run test:flakes                      3 quiet runs + 1 busy run
//   npm run test:flakes -- --quiet 1 --busy 2 [vitest filters...]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const HELP = `usage: npm run test:flakes -- [--quiet N] [--busy N] [--hogs N] [vitest filters...]

Runs the integration project N times quietly (default 3), then N times (default 1) while --hogs
CPU-bound processes (default: one per core) run beside it, and prints every failing test per run.
Exits 1 when any run had a failure. Build first: it runs 'npm run build' once.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quiet: { type: 'string', default: '3' },
    busy: { type: 'string', default: '1' },
    hogs: { type: 'string', default: String(availableParallelism()) },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const count = (name) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0 || n > 20) {
    console.error(`test:flakes: --${name} must be a whole number from 0 to 20, got "${values[name]}"`);
    process.exit(2);
  }
  return n;
};
const quiet = count('quiet');
const busy = count('busy');
const hogCount = count('hogs');

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * CPU-bound processes: each spins in 50 ms slices and exits on its own once this script is gone
 * (its parent pid changes), so a killed hunt leaves no hog behind.
 */
const HOG = `const parent = process.ppid;
(function slice() {
  if (process.ppid !== parent) process.exit(0);
  const until = Date.now() + 50;
  while (Date.now() < until);
  setImmediate(slice);
})();`;
function startHogs(n) {
  const hogs = Array.from({ length: n }, () => spawn(process.execPath, ['-e', HOG], { stdio: 'ignore' }));
  return () => {
    for (const h of hogs) h.kill('SIGKILL');
  };
}

async function integrationRun(label, report) {
  const started = Date.now();
  const code = await run('npx', [
    'vitest',
    'run',
    '--project',
    'integration',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...positionals,
  ]);
  const seconds = Math.round((Date.now() - started) / 1000);
  try {
    const json = JSON.parse(await readFile(report, 'utf8'));
    const failed = json.testResults.flatMap((file) =>
      file.assertionResults
        .filter((t) => t.status === 'failed')
        .map((t) => `${file.name.replace(process.cwd() + '/', '')} > ${t.fullName}`),
    );
    if (failed.length === 0 && code !== 0)
      failed.push(`(vitest exited ${code} with no failed test: a suite or hook failed)`);
    return { label, seconds, passed: json.numPassedTests, failed };
  } catch (err) {
    return { label, seconds, passed: 0, failed: [`(no report: ${String(err)})`] };
  }
}

const dir = await mkdtemp(join(tmpdir(), 'understudy-flakes-'));
const results = [];
try {
  if ((await run('npm', ['run', 'build', '--silent'])) !== 0) process.exit(1);
  for (let i = 1; i <= quiet; i++) results.push(await integrationRun(`quiet ${i}`, join(dir, `q${i}.json`)));
  for (let i = 1; i <= busy; i++) {
    const stop = startHogs(hogCount);
    try {
      results.push(await integrationRun(`busy ${i} (${hogCount} hogs)`, join(dir, `b${i}.json`)));
    } finally {
      stop();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

console.log('\ntest:flakes summary');
for (const r of results) {
  console.log(`  ${r.label}: ${r.passed} passed, ${r.failed.length} failed, ${r.seconds} s`);
  for (const f of r.failed) console.log(`    FAIL ${f}`);
}
process.exit(results.some((r) => r.failed.length > 0) ? 1 : 0);
