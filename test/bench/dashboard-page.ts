/**
 * Time to interactive of the dashboard page in headless Chromium, for a state of 10,000 checks × 3 regions,
 * served by the real dashboard server (Fastify routes, paging, SSE) over a prepared synthetic view.
 * "Interactive" = the first matrix page, the records with their override buttons and the timeline are
 * rendered and the live stream is open. Run: npx tsx test/bench/dashboard-page.ts [checks] [loads]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DashboardSource, DashboardViewData } from '@understudy/dashboard';
import { createDashboardServer } from '@understudy/dashboard';
import { recordingLogger } from '@understudy/testkit/logger';
import { buildWeb } from '../../apps/dashboard/web/build.mjs';
import { config as coreConfig } from '../../libs/core/src/test-support/fixtures.js';
import { launchChromium } from '../browser/chromium.js';
import { fixtureChecks, fixtureEvent, fixtureRecord, REGIONS } from '../browser/fixture-state.js';
import { fmt, summarize } from './stats.js';

const CHECKS = Number(process.argv[2] ?? 10_000);
const LOADS = Number(process.argv[3] ?? 7);
const TARGET_MS = 2000;

function syntheticView(n: number, now: number): DashboardViewData {
  const checks = fixtureChecks(n, now) as unknown as DashboardViewData['checks'];
  const records = [fixtureRecord(now, 'primary')] as unknown as DashboardViewData['records'];
  const totals = Object.fromEntries(REGIONS.map((r) => [r, { up: 0, down: 0, unknown: 0, stale: 0 }]));
  for (const c of checks)
    for (const cell of c.regions) totals[cell.region]![cell.stale ? 'stale' : cell.state]++;
  const up = checks.filter((c) => c.verdict === 'up').length;
  const down = checks.filter((c) => c.verdict === 'down').length;
  return {
    builtAt: now,
    serial: 7,
    epoch: 1,
    eventSeq: 1,
    zoneGeneratedAt: now,
    leader: { holder: 'bench/1', epoch: 1 },
    counts: {
      checks: n,
      up,
      down,
      unknown: n - up - down,
      records: 1,
      regions: 3,
      staleRegions: 0,
      probes: 3,
      mismatchedProbes: 0,
    },
    guard: { holding: false, since: null, released: false },
    regions: REGIONS.map((region) => ({
      region,
      stale: false,
      lastSeenAt: now,
      probes: [{ probeId: `${region}-1`, lastSeenAt: now, configHash: 'b', mismatch: false, lagMs: 5 }],
    })),
    matrix: { regions: REGIONS, totals, checks: n },
    checks,
    checkJson: checks.map((c) => JSON.stringify(c)),
    checkIndex: new Map(checks.map((c, i) => [c.id, i])),
    records,
    recordsJson: Buffer.from(JSON.stringify({ items: records })),
    recordIndex: new Map(records.map((r, i) => [r.id, i])),
    targets: [{ target: 'dns', type: 'builtin', status: null }],
  };
}

function staticSource(view: DashboardViewData): DashboardSource {
  const events = [fixtureEvent(1, view.builtAt - 5000)];
  return {
    view: () => Promise.resolve(view),
    refresh: () => Promise.resolve(),
    events: () => Promise.resolve({ items: events, nextBefore: null }),
    subscribe: () => () => undefined,
    close: () => Promise.resolve(),
  };
}

const refuse = (): Promise<never> => Promise.reject(new Error('the page benchmark makes no changes'));

async function main(): Promise<void> {
  const webDir = await mkdtemp(join(tmpdir(), 'understudy-web-bench-'));
  await buildWeb({ outdir: webDir });
  const server = await createDashboardServer({
    listen: { host: '127.0.0.1', port: 0 },
    config: { ...coreConfig(), admin: { tokens: [] } },
    configHash: 'b'.repeat(64),
    source: staticSource(syntheticView(CHECKS, Date.now())),
    actions: {
      setOverride: refuse,
      approveFailback: refuse,
      releaseGuard: refuse,
      forcePlan: refuse,
      startDrill: refuse,
      drill: () => Promise.resolve(null),
      drills: () => Promise.resolve([]),
    },
    logger: recordingLogger(),
    webRoot: webDir,
    version: 'bench',
  });
  const browser = await launchChromium();
  const times: number[] = [];
  try {
    for (let i = 0; i < LOADS; i++) {
      const page = await browser.context.newPage();
      const t0 = Date.now();
      await page.goto(server.url);
      await page.locator('[data-testid=matrix] tbody tr[data-check]').first().waitFor({ timeout: 30_000 });
      await page.locator('button[data-testid^=override-]').first().waitFor({ timeout: 30_000 });
      await page.locator('li[data-type]').first().waitFor({ timeout: 30_000 });
      await page.getByTestId('live-state').filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
      times.push(Date.now() - t0);
      if (i === 0) {
        const cells = await page.locator('td.cell[data-region]').count();
        process.stdout.write(`checks ${CHECKS} × ${REGIONS.length} regions; cells rendered: ${cells}\n`);
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    await rm(webDir, { recursive: true, force: true });
  }
  const s = summarize(times.slice(1));
  process.stdout.write(
    `page time to interactive (ms): first (cold) ${fmt(times[0]!)}, warm n=${s.n} p50 ${fmt(s.p50)} max ${fmt(s.max)}` +
      ` (target < ${TARGET_MS})\n`,
  );
  if (times[0]! > TARGET_MS || s.max > TARGET_MS) process.exitCode = 1;
}

await main();
