import { describe, expect, it } from 'vitest';
import { ecsAddress, ecsSource, ecsV4, ecsWellFormed, writeEcs } from './ecs.js';

/** Option data: FAMILY, SOURCE, SCOPE, ADDRESS. */
const data = (family: number, source: number, addr: number[], scope = 0): Buffer =>
  Buffer.from([family >> 8, family & 0xff, source, scope, ...addr]);
const ok = (b: Buffer): boolean => ecsWellFormed(b, 0, b.length);

describe('EDNS Client Subnet option (RFC 7871 §6)', () => {
  it('reads a well-formed IPv4 /24 and IPv6 /56', () => {
    const v4 = data(1, 24, [192, 0, 2]);
    expect(ok(v4)).toBe(true);
    expect(ecsAddress(v4, 0, v4.length)).toBe('192.0.2.0');
    expect(ecsSource(v4, 0)).toBe(24);
    expect(ecsV4(v4, 0, v4.length)).toBe(0xc0000200);
    const v6 = data(2, 56, [0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56]);
    expect(ok(v6)).toBe(true);
    expect(ecsAddress(v6, 0, v6.length)).toBe('2001:db8:1234:5600:0:0:0:0');
  });

  it('accepts SOURCE PREFIX-LENGTH 0 with no address octets', () => {
    const zero = data(1, 0, []);
    expect(ok(zero)).toBe(true);
    expect(ecsAddress(zero, 0, zero.length)).toBe('0.0.0.0');
  });

  it('rejects malformed options: short, unknown family, prefix past the address, wrong octet count', () => {
    expect(ok(Buffer.from([0, 1, 24]))).toBe(false);
    expect(ok(data(3, 24, [192, 0, 2]))).toBe(false);
    expect(ok(data(1, 33, [1, 2, 3, 4, 5]))).toBe(false);
    expect(ok(data(2, 129, new Array<number>(17).fill(0)))).toBe(false);
    expect(ok(data(1, 24, [192, 0, 2, 0]))).toBe(false); // one octet too many
    expect(ok(data(1, 24, [192, 0]))).toBe(false); // one too few
  });

  it('rejects non-zero address bits past SOURCE PREFIX-LENGTH', () => {
    expect(ok(data(1, 20, [10, 1, 0x10]))).toBe(true);
    expect(ok(data(1, 20, [10, 1, 0x18]))).toBe(false);
    expect(ok(data(2, 1, [0x80]))).toBe(true);
    expect(ok(data(2, 1, [0xc0]))).toBe(false);
  });

  it('ignores a non-zero SCOPE in a query (out of spec, harmless)', () => {
    expect(ok(data(1, 24, [192, 0, 2], 24))).toBe(true);
  });

  it('echoes FAMILY, SOURCE and ADDRESS with our scope', () => {
    const q = data(1, 24, [198, 51, 100]);
    const out = Buffer.alloc(4 + q.length);
    expect(writeEcs(out, 0, q, 0, q.length, 16)).toBe(out.length);
    expect([...out]).toEqual([0, 8, 0, 7, 0, 1, 24, 16, 198, 51, 100]);
  });
});
