/**
 * The web UI in real headless Chromium against the fixture API (10,000 checks): paging instead of 30,000
 * cells, stale shown apart from down, evidence on demand, refused and accepted overrides, live timeline
 * over SSE, keyboard operation. The end-to-end run against the demo is dashboard.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../apps/dashboard/web/build.mjs';
import { launchChromium, type Chromium } from './chromium.js';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';

const TOKEN = 'fixture-token-0123456789';
let webDir: string;
let server: FixtureServer;
let browser: Chromium;
let page: Page;

beforeAll(async () => {
  webDir = await mkdtemp(join(tmpdir(), 'understudy-web-'));
  await buildWeb({ outdir: webDir });
  server = await startFixtureServer({ webDir, checks: 10_000, token: TOKEN });
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(server.url);
  await page.getByTestId('live-state').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (webDir) await rm(webDir, { recursive: true, force: true });
});

describe('dashboard UI (fixture API, 10,000 checks)', () => {
  it('renders one page of the matrix with per-region totals, never all 30,000 cells', async () => {
    const rows = page.locator('[data-testid=matrix] tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    expect(await page.locator('td.cell[data-region]').count()).toBe(150);
    expect(await page.getByTestId('matrix-range').textContent()).toBe('1–50 of 10,000');
    const totals = await page.getByTestId('matrix-totals').textContent();
    expect(totals).toContain('10,000 checks in all');
    expect(totals).toMatch(/ap-south.*200 stale/);
  });

  it('shows stale and down as different text, icon and style', async () => {
    const down = page.locator('tr[data-check=check-00005] td[data-region=us-east]');
    const stale = page.locator('tr[data-check=check-00007] td[data-region=ap-south]');
    expect(await down.locator('.state').textContent()).toBe('▼ down');
    expect(await down.textContent()).toContain('status: HTTP 503');
    expect(await stale.locator('.state').textContent()).toBe('◌ stale');
    expect(await stale.getAttribute('class')).not.toBe(await down.getAttribute('class'));
  });

  it('filters by state and search, and pages', async () => {
    await page.getByLabel('State').selectOption('down');
    await expect.poll(() => page.getByTestId('matrix-range').textContent()).toBe('1–50 of 104');
    await page.getByLabel('Search checks').fill('check-0000');
    await expect.poll(() => page.getByTestId('matrix-range').textContent()).toBe('1–1 of 1');
    await page.getByLabel('Search checks').fill('');
    await page.getByLabel('State').selectOption('all');
    await page.getByRole('button', { name: 'Next ›' }).click();
    await expect.poll(() => page.getByTestId('matrix-range').textContent()).toBe('51–100 of 10,000');
    // The range label and the rows render from the same state, but poll the rows too: no race.
    await expect
      .poll(() => page.locator('[data-testid=matrix] tbody tr').first().getAttribute('data-check'))
      .toBe('check-00050');
  });

  it('shows the record on SECONDARY with a ticking effectiveBy countdown', async () => {
    expect(await page.getByTestId('record-active').textContent()).toContain('SECONDARY secondary');
    const eff = page.getByTestId('effective-by').first();
    const first = await eff.textContent();
    expect(first).toMatch(/in \d+ s/);
    await expect.poll(() => eff.textContent(), { timeout: 5000 }).not.toBe(first);
  });

  it('says when failback resumes on a flap-damped record, in UTC with Z', async () => {
    const damped = await page.getByTestId('record-damped').textContent();
    expect(damped).toMatch(
      /flap-damped: failback resumes \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(in (9|10) min \d+ s\)/,
    );
  });

  it('expands the evidence of a decision: votes per region, rule and timing', async () => {
    const ev = page.locator('li[data-type=answer-switched]').first();
    await ev.getByRole('button', { name: 'Evidence' }).click();
    const text = await ev.getByTestId('evidence').textContent();
    expect(text).toContain('2 down of 3 fresh voters, 2 needed');
    expect(text).toContain('HTTP 503');
    expect(text).toContain('detection budget 35.0 s');
  });

  it('refuses an override without a token and shows the server message', async () => {
    await page.getByLabel('Reason').first().fill('ui test without token');
    await page.getByTestId('override-primary-down').click();
    const outcome = page.getByTestId('record-outcome');
    await expect.poll(() => outcome.textContent()).toContain('missing Authorization');
    expect(await outcome.textContent()).toContain('HTTP 401');
  });

  it('applies an override with a token, by keyboard, and the timeline shows it live', async () => {
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByLabel('Admin token').press('Enter');
    await expect.poll(() => page.getByTestId('token-state').textContent()).toContain('token set');
    await page.getByLabel('Reason').first().fill('maintenance window');
    // Tab from the "force up" button to "force down" and press Enter: real buttons, real tab order.
    await page.getByTestId('override-primary-up').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.dataset.testid')).toBe('override-primary-down');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('record-outcome').textContent()).toContain('done');
    const override = page.locator('li[data-type=override-set]').first();
    await override.waitFor({ timeout: 10_000 });
    expect(await override.getByTestId('event-actor').textContent()).toContain('maintenance window');
    expect(await page.getByTestId('override-primary-down').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('announcer').textContent()).toContain('override primary');
  });
});
