import { describe, expect, it } from 'vitest';
import { clientPrefix } from './client-prefix.js';

describe('clientPrefix', () => {
  it('masks IPv4 and IPv4-mapped addresses to the IPv4 prefix', () => {
    expect(clientPrefix('192.0.2.77', 24, 56)).toBe(clientPrefix('192.0.2.1', 24, 56));
    expect(clientPrefix('192.0.2.77', 24, 56)).not.toBe(clientPrefix('192.0.3.77', 24, 56));
    expect(clientPrefix('::ffff:192.0.2.9', 24, 56)).toBe(clientPrefix('192.0.2.200', 24, 56));
    expect(clientPrefix('10.1.2.3', 32, 56)).not.toBe(clientPrefix('10.1.2.4', 32, 56));
    expect(clientPrefix('10.1.2.3', 0, 56)).toBe(clientPrefix('203.0.113.1', 0, 56));
  });

  it('masks IPv6 addresses to the IPv6 prefix, whatever their spelling', () => {
    const a = clientPrefix('2001:db8:0:12ff::1', 24, 56);
    expect(clientPrefix('2001:0db8:0000:1200:ffff:ffff:ffff:ffff', 24, 56)).toBe(a);
    expect(clientPrefix('2001:db8:0:1300::1', 24, 56)).not.toBe(a);
    expect(clientPrefix('2001:db8::1%eth0', 24, 64)).toBe(clientPrefix('2001:db8::2', 24, 64));
    expect(clientPrefix('::1', 24, 56)).toBe(clientPrefix('::2', 24, 56));
    expect(clientPrefix('1:2:3:4:5:6:7:8', 24, 64)).toBe('1:2:3:4/64');
  });

  it('keeps what it cannot read as its own key', () => {
    expect(clientPrefix('1::2::3', 24, 56)).toBe('1::2::3');
  });
});
