import { describe, expect, it } from 'vitest';
import { rcodeName } from './constants.js';
import { QueryCounter } from './query-counter.js';

describe('QueryCounter', () => {
  it('counts per transport and rcode, and starts again from zero after each drain', () => {
    const c = new QueryCounter();
    expect(c.drain()).toEqual([]);
    for (let i = 0; i < 3; i++) c.add(false, 0);
    c.add(true, 0);
    c.add(false, 3);
    c.add(true, 16);
    c.add(true, 16);
    expect(c.drain()).toEqual([
      { transport: 'udp', rcode: 0, n: 3 },
      { transport: 'udp', rcode: 3, n: 1 },
      { transport: 'tcp', rcode: 0, n: 1 },
      { transport: 'tcp', rcode: 16, n: 2 },
    ]);
    expect(c.drain()).toEqual([]);
    c.add(false, 5);
    expect(c.drain()).toEqual([{ transport: 'udp', rcode: 5, n: 1 }]);
  });
});

describe('rcodeName', () => {
  it('names the rcodes this server sends and numbers the rest', () => {
    expect([0, 1, 2, 3, 4, 5, 16].map(rcodeName)).toEqual([
      'NOERROR',
      'FORMERR',
      'SERVFAIL',
      'NXDOMAIN',
      'NOTIMP',
      'REFUSED',
      'BADVERS',
    ]);
    expect(rcodeName(6)).toBe('YXDOMAIN');
    expect(rcodeName(11)).toBe('RCODE11');
    expect(rcodeName(4095)).toBe('RCODE4095');
  });
});
