import { describe, expect, it } from 'vitest';
import { systemLookup } from './lookup.js';

describe('systemLookup', () => {
  it('resolves localhost through the OS resolver to a loopback address', async () => {
    const { address, family } = await systemLookup('localhost');
    expect(family === 4 ? address.startsWith('127.') : address === '::1').toBe(true);
  });

  it('fails names under invalid. at once, without a query (RFC 6761)', async () => {
    for (const name of ['x.invalid', 'deep.x.INVALID.', 'invalid']) {
      await expect(systemLookup(name)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    }
  });
});
