import { afterEach, describe, expect, it } from 'vitest';
import { emulatorWithZone, provider, targetConfig } from './test-support/harness.js';

const ZONE = 'limits.test.';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

describe('one token bucket per account', () => {
  it('two providers with the same credentials stay within 5 requests/s together', async () => {
    const { emu } = await emulatorWithZone(ZONE, { faults: { requestsPerSecond: 5 } });
    open.push(emu);
    const cfg = targetConfig(emu.url, [{ apex: ZONE, id: null }], { requestsPerSecond: 5 });
    const a = provider({ ...cfg, name: 'a' });
    const b = provider({ ...cfg, name: 'b' });
    open.push(a, b);
    const reads = async (p: typeof a): Promise<void> => {
      for (let i = 0; i < 5; i++) await p.read(ZONE);
    };
    await Promise.all([reads(a), reads(b)]);
    const at = emu.stats().requests.map((r) => r.at);
    expect(at).toHaveLength(12);
    expect(emu.stats().throttled).toBe(0);
    // Requests leave us 200 ms apart; on a loaded machine arrival jitter may pull one or two more into a
    // 1 s window (without the shared bucket all 12 would land in one). The span below is the rate itself.
    const maxInWindow = Math.max(...at.map((t) => at.filter((u) => u >= t && u < t + 1000).length));
    expect(maxInWindow).toBeLessThanOrEqual(7);
    expect(at[at.length - 1]! - at[0]!).toBeGreaterThanOrEqual(11 * 200 * 0.9);
  });

  it('different access keys do not share a bucket', async () => {
    const { emu } = await emulatorWithZone(ZONE);
    open.push(emu);
    const cfg = targetConfig(emu.url, [{ apex: ZONE, id: null }], { requestsPerSecond: 2 });
    const a = provider({ ...cfg, accessKeyId: 'AKIDONE' });
    const b = provider({ ...cfg, accessKeyId: 'AKIDTWO' });
    open.push(a, b);
    const t0 = Date.now();
    await Promise.all([a.read(ZONE), b.read(ZONE)]);
    // Two requests each at 2/s: 0.5 s per provider when independent, 1.5 s if they had shared a bucket.
    expect(Date.now() - t0).toBeLessThan(1400);
    expect(
      emu
        .stats()
        .requests.map((r) => r.accessKeyId)
        .sort(),
    ).toEqual(['AKIDONE', 'AKIDONE', 'AKIDTWO', 'AKIDTWO']);
  });
});

describe('targets naming one account share its bucket (issue 17, case 3)', () => {
  it('two providers with different access keys of the same account stay within 5 requests/s together', async () => {
    const { emu } = await emulatorWithZone(ZONE, {
      faults: { requestsPerSecond: 5 },
      accounts: { AKIDONE: '111122223333', AKIDTWO: '111122223333' },
    });
    open.push(emu);
    const cfg = targetConfig(emu.url, [{ apex: ZONE, id: null }], {
      requestsPerSecond: 5,
      account: '111122223333',
    });
    const a = provider({ ...cfg, name: 'a', accessKeyId: 'AKIDONE' });
    const b = provider({ ...cfg, name: 'b', accessKeyId: 'AKIDTWO' });
    open.push(a, b);
    const reads = async (p: typeof a): Promise<void> => {
      for (let i = 0; i < 5; i++) await p.read(ZONE);
    };
    await Promise.all([reads(a), reads(b)]);
    expect(emu.stats().requests).toHaveLength(12);
    expect(emu.stats().throttled).toBe(0);
  });
});
