/** Issue 17, case 3: Cloudflare counts its rate limit per user; targets naming one user share a bucket. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  provider,
  startEmulator,
  targetConfig,
  TOKEN,
  type CloudflareEmulator,
} from './test-support/fixture.js';

const ZONE = 'example.test.';
let emu: CloudflareEmulator | null = null;
afterEach(async () => {
  await emu?.close();
  emu = null;
});

describe('CloudflareProvider: one rate budget per user', () => {
  it('two targets with different tokens of one user never go over the user’s limit together', async () => {
    const users = { [TOKEN]: 'ops@example.test', 'second-token': 'ops@example.test' };
    emu = await startEmulator({
      zones: [{ name: ZONE }],
      tokens: [TOKEN, 'second-token'],
      users,
      faults: { rateLimit: { requests: 12, windowMs: 2000 } },
    });
    const rateLimit = { requests: 12, window: 2000 };
    const cfg = targetConfig(emu, [ZONE], { rateLimit, user: 'ops@example.test' });
    const a = provider({ ...cfg, name: 'a' });
    const b = provider({ ...cfg, name: 'b', apiToken: 'second-token' });
    const reads = async (p: typeof a): Promise<void> => {
      for (let i = 0; i < 8; i++) await p.read(ZONE);
    };
    await Promise.all([reads(a), reads(b)]);
    // 16 reads and one zone lookup per target; a loaded machine can add a retried request or two, but the
    // point is that none of them went over the user's shared limit.
    expect(emu.stats().requests).toBeGreaterThanOrEqual(18);
    expect(emu.stats().rateLimited).toBe(0);
  });
});
