/**
 * The dashboard end to end: the real demo (bundled CLI, HTTPS origins, three simulated regions), its
 * dashboard in headless Chromium, a real failover, and overrides from the page.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from './chromium.js';
import { startDemo, type RunningDemo } from './demo.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const REGIONS = ['us-east', 'eu-west', 'ap-south'];
const CHECKS = ['primary-web', 'secondary-web'];
// Demo checks: interval 1 s × fall 2 + timeout 0.8 s ≈ 3 s; the bound leaves room for a loaded machine.
const DETECTION_BOUND_MS = 15_000;

let demo: RunningDemo;
let browser: Chromium;
let page: Page;

const cell = (check: string, region: string): Locator =>
  page.locator(`tr[data-check="${check}"] td[data-region="${region}"]`);

async function cellStates(check: string): Promise<string[]> {
  return Promise.all(
    REGIONS.map(async (r) => (await cell(check, r).getAttribute('data-state')) ?? 'missing'),
  );
}

beforeAll(async () => {
  demo = await startDemo(`demo-${randomBytes(12).toString('hex')}`);
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(demo.url);
});

afterAll(async () => {
  await browser?.close();
  if (demo) expect(await demo.stop()).toBe(0);
});

describe('dashboard on the demo', () => {
  it('shows 3 regions × the demo checks, all up', async () => {
    const heads = page.locator('[data-testid=matrix] thead th');
    await expect
      .poll(() => heads.allTextContents(), { timeout: 20_000 })
      .toEqual(['Check', 'Verdict', ...REGIONS]);
    for (const check of CHECKS) {
      await expect.poll(() => cellStates(check), { timeout: 20_000 }).toEqual(['up', 'up', 'up']);
      expect(await cell(check, 'us-east').textContent()).toMatch(/▲ up\d+ ms/);
    }
    expect(await page.getByTestId('record-active').textContent()).toContain('PRIMARY primary');
  });

  it('fails the primary: its cells turn down, the record serves SECONDARY with a countdown, the timeline has the evidence', async () => {
    const failedAt = Date.now();
    await demo.origin('fail', 'primary');
    await expect
      .poll(() => cellStates('primary-web'), { timeout: DETECTION_BOUND_MS, interval: 200 })
      .toEqual(['down', 'down', 'down']);
    const detectedMs = Date.now() - failedAt;
    expect(detectedMs).toBeLessThan(DETECTION_BOUND_MS);
    expect(await cell('primary-web', 'eu-west').textContent()).toMatch(/▼ down.*(connect|reset|timeout)/);
    expect(await cellStates('secondary-web')).toEqual(['up', 'up', 'up']);

    const active = page.getByTestId('record-active');
    await expect.poll(() => active.textContent(), { timeout: 10_000 }).toContain('SECONDARY secondary');
    expect(await active.textContent()).toContain('198.51.100.10');
    // TTL 30 s: the countdown to effectiveBy is running, and ticks.
    const eff = page.getByTestId('effective-by').first();
    await expect.poll(() => eff.textContent(), { timeout: 10_000 }).toMatch(/in \d+ s/);
    const before = await eff.textContent();
    await expect.poll(() => eff.textContent(), { timeout: 5000 }).not.toBe(before);

    const switched = page.locator('li[data-type=answer-switched]').first();
    await switched.waitFor({ timeout: 10_000 });
    await switched.getByRole('button', { name: 'Evidence' }).click();
    const evidence = await switched.getByTestId('evidence').textContent();
    expect(evidence).toContain('primary-web');
    expect(evidence).toMatch(/\d down of \d fresh voters, \d needed/);
    for (const r of REGIONS) expect(evidence).toContain(r);
    expect(evidence).toContain('TTL 30 s');

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });
  });

  it('refuses an override without a token and shows why', async () => {
    const card = page.locator('article.record').first();
    await card.getByLabel('Reason').fill('browser test, no token');
    await card.getByTestId('override-secondary-down').click();
    const outcome = card.getByTestId('record-outcome');
    await expect.poll(() => outcome.textContent(), { timeout: 10_000 }).toContain('refused');
    expect(await outcome.textContent()).toContain('HTTP 401');
    expect(await card.getByTestId('override-secondary-down').getAttribute('aria-pressed')).toBe('false');
  });

  it('applies an override with a token, from the keyboard, and the timeline shows who and why', async () => {
    await page.getByLabel('Admin token').fill(demo.token);
    await page.getByLabel('Admin token').press('Enter');
    const card = page.locator('article.record').first();
    await card.getByLabel('Reason').fill('browser test: pin the secondary up');
    await card.getByTestId('override-secondary-down').focus();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate('document.activeElement.dataset.testid')).toBe('override-secondary-up');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => card.getByTestId('record-outcome').textContent(), { timeout: 10_000 })
      .toContain('done');
    await expect
      .poll(() => card.getByTestId('override-secondary-up').getAttribute('aria-pressed'), { timeout: 10_000 })
      .toBe('true');
    const audit = page.locator('li[data-type=override-set]').first();
    await audit.waitFor({ timeout: 10_000 });
    expect(await audit.getByTestId('event-actor').textContent()).toContain(
      'browser test: pin the secondary up',
    );
  });
});
