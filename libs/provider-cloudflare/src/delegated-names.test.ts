/**
 * Issue 17, case 5: Cloudflare refuses any other type at a name that holds NS records (a delegation),
 * and a batch is all-or-nothing. The plan must not send such a record, and one refused record must
 * not hold back the changes after it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlan, type ProviderRecord } from '@understudy/core';
import {
  cfBodies,
  provider,
  rawRecords,
  startEmulator,
  targetConfig,
  type CloudflareEmulator,
} from './test-support/fixture.js';

const ZONE = 'example.test.';
let emu: CloudflareEmulator;
beforeEach(async () => {
  emu = await startEmulator({ zones: [{ name: ZONE }] });
});
afterEach(() => emu.close());

const a = (label: string, ip: string): ProviderRecord => ({
  name: `${label}.${ZONE}`,
  type: 'A',
  ttl: 60,
  values: [ip],
});
const desired = [a('app', '192.0.2.1'), a('sub', '192.0.2.2'), a('zed', '192.0.2.3')];

async function syncOnce(batchSize: number) {
  const p = provider(targetConfig(emu, [ZONE], { batchSize }));
  const plan = createPlan('cf', ZONE, await p.read(ZONE), p.normalize(desired).records, { takeover: false });
  return p.apply(plan);
}

describe('CloudflareProvider: a failover record at a delegated name', () => {
  it('is failed in the report without being sent; the records after it still apply', async () => {
    emu.seed(ZONE, cfBodies([{ name: `sub.${ZONE}`, type: 'NS', ttl: 300, values: ['ns1.other.test.'] }]));
    const report = await syncOnce(1);
    const result = (label: string) => report.changes.find((c) => c.name === `${label}.${ZONE}`);
    expect(result('zed')).toMatchObject({ ok: true });
    expect(result('app')).toMatchObject({ ok: true });
    expect(result('sub')?.ok).toBe(false);
    expect(result('sub')?.error).toMatch(/sub\.example\.test\. holds NS records.*delegat/);
    expect(report.propagated).toBe(false);
    // Nothing refused: the record that cannot go was never sent.
    expect(emu.stats().batchCalls).toBe(2);
    expect(
      rawRecords(emu, ZONE)
        .map((r) => `${r.name} ${r.type}`)
        .sort(),
    ).toEqual(['app.example.test. A', 'sub.example.test. NS', 'zed.example.test. A']);
  });

  it('a refusal nobody foresaw fails only its own record: the batch is split until the rest goes through', async () => {
    // A foreign CNAME at sub: the plan sees another type there, Cloudflare refuses the A (81053).
    emu.seed(ZONE, cfBodies([{ name: `sub.${ZONE}`, type: 'CNAME', ttl: 300, values: ['elsewhere.test.'] }]));
    const report = await syncOnce(200);
    expect(report.changes.filter((c) => !c.ok).map((c) => [c.name, c.error])).toEqual([
      [`sub.${ZONE}`, expect.stringContaining('81053')],
    ]);
    expect(
      rawRecords(emu, ZONE)
        .filter((r) => r.type === 'A')
        .map((r) => r.name),
    ).toEqual([`app.${ZONE}`, `zed.${ZONE}`]);
  });
});
