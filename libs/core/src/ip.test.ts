import { describe, expect, it } from 'vitest';
import { formatIPv6, isIpLiteral, parseIPv4, parseIPv6 } from './ip.js';

describe('ip literals', () => {
  it.each([
    ['192.0.2.1', [192, 0, 2, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['256.0.0.1', null],
    ['01.2.3.4', null],
    ['1.2.3', null],
    ['a.b.c.d', null],
  ])('parseIPv4(%s)', (s, out) => expect(parseIPv4(s)).toEqual(out));

  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('parseIPv6(%s) formats as %s', (s, out) => {
    const g = parseIPv6(s);
    expect(g).not.toBeNull();
    expect(formatIPv6(g!)).toBe(out);
  });

  it.each([
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    'g::1',
    '12345::',
    '1:2:3',
    '::ffff:999.0.0.1',
    'fe80::1%eth0',
    '1:2:3:4:5:6:7::8',
    'nocolon',
  ])('rejects %s', (s) => expect(parseIPv6(s)).toBeNull());

  it('isIpLiteral', () => {
    expect(isIpLiteral('127.0.0.1')).toBe(true);
    expect(isIpLiteral('::1')).toBe(true);
    expect(isIpLiteral('localhost')).toBe(false);
  });
});
