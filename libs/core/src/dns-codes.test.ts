import { describe, expect, it } from 'vitest';
import { DNS_RCODES, rcodeName } from './dns-codes.js';

describe('rcodeName', () => {
  it('names the rcodes of RFC 1035 and RFC 2136, and BADVERS', () => {
    expect([0, 3, 5, 9, 10, 16].map(rcodeName)).toEqual([
      'NOERROR',
      'NXDOMAIN',
      'REFUSED',
      'NOTAUTH',
      'NOTZONE',
      'BADVERS',
    ]);
    expect(DNS_RCODES.indexOf('SERVFAIL')).toBe(2);
  });

  it('numbers the rest', () => {
    expect(rcodeName(11)).toBe('RCODE11');
    expect(rcodeName(4095)).toBe('RCODE4095');
  });
});
