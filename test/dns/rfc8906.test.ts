/** RFC 8906 §8 ("Failure to Communicate") checks, each with real dig against the server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APEX, startHarness } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

const soaOf = (r: { answer: { type: string }[] }): string[] => r.answer.map((a) => a.type);

describe('RFC 8906 §8.1 (no EDNS)', () => {
  it('8.1.1 SOA: NOERROR, AA, RD=0, no OPT', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+noedns']);
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toEqual(['qr', 'aa']);
    expect(r.opt).toBeNull();
    expect(soaOf(r)).toEqual(['SOA']);
  });

  it('8.1.2 unknown type 1000: NODATA with AA and the SOA in authority', async () => {
    const r = await h.dig(APEX, 'TYPE1000', ['+norec', '+noedns']);
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toContain('aa');
    expect(r.answer).toEqual([]);
    expect(r.authority.map((a) => `${a.name} ${a.type} ${a.ttl}`)).toEqual([`${APEX} SOA 120`]);
  });

  it('8.1.3.1 CD=1 is copied', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+noedns', '+cdflag']);
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toEqual(['qr', 'aa', 'cd']);
  });

  it('8.1.3.2 AD=1 gets AD=0 in the reply', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+noedns', '+adflag']);
    expect(r.status).toBe('NOERROR');
    expect(r.flags).not.toContain('ad');
  });

  it('8.1.3.3 the reserved Z bit is 0 in the reply', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+noedns', '+zflag']);
    expect(r.status).toBe('NOERROR');
    expect(r.raw).not.toMatch(/MBZ/);
    expect(r.flags).toEqual(['qr', 'aa']);
  });

  it('8.1.3.4 RD=1 is echoed, RA stays 0', async () => {
    const r = await h.dig(APEX, 'SOA', ['+rec', '+noedns']);
    expect(r.flags).toEqual(['qr', 'aa', 'rd']);
  });

  it('8.1.4 opcode 15: NOTIMP with empty sections, with and without a question', async () => {
    const bare = await h.dig(APEX, 'SOA', ['+norec', '+noedns', '+opcode=15', '+header-only']);
    expect(bare).toMatchObject({ status: 'NOTIMP', opcode: 'RESERVED15', answer: [], authority: [] });
    expect(bare.flags).not.toContain('aa');
    const withQuestion = await h.dig(APEX, 'SOA', ['+norec', '+noedns', '+opcode=15']);
    expect(withQuestion).toMatchObject({ status: 'NOTIMP', answer: [], authority: [], additional: [] });
    expect(withQuestion.raw).toMatch(/QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0/);
  });

  it('8.1.5 TCP', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+noedns', '+tcp']);
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toContain('aa');
    expect(r.raw).toMatch(/\(TCP\)/);
  });
});

describe('RFC 8906 §8.2 (EDNS)', () => {
  it('8.2.1 EDNS version 0 is echoed, with our payload size, AA set', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+edns=0', '+nocookie']);
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toContain('aa');
    expect(r.opt).toEqual({ version: 0, udp: 1232, flags: [], options: [] });
  });

  it('8.2.2 EDNS version 1: BADVERS with an OPT of version 0 and no answer', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+edns=1', '+noednsnegotiation', '+nocookie']);
    expect(r.status).toBe('BADVERS');
    expect(r.opt?.version).toBe(0);
    expect(r.answer).toEqual([]);
  });

  it('8.2.3 an unknown option is ignored and not echoed', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+ednsopt=100', '+nocookie']);
    expect(r.status).toBe('NOERROR');
    expect(r.opt).not.toBeNull();
    expect(r.opt!.options).toEqual([]);
    expect(soaOf(r)).toEqual(['SOA']);
  });

  it('8.2.4 an unknown EDNS flag is ignored and not echoed', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+ednsflags=0x40', '+nocookie']);
    expect(r.status).toBe('NOERROR');
    expect(r.opt!.flags).toEqual([]);
    expect(r.raw).not.toMatch(/MBZ/);
  });

  it('8.2.5 DO=1 is echoed', async () => {
    const r = await h.dig(APEX, 'SOA', ['+norec', '+dnssec', '+nocookie']);
    expect(r.status).toBe('NOERROR');
    expect(r.opt!.flags).toEqual(['do']);
  });

  it('8.2.6 bufsize 512 with a large answer: TC=1 over UDP, the whole answer over TCP', async () => {
    const udp = await h.dig(`big.${APEX}`, 'TXT', ['+norec', '+ignore', '+bufsize=512', '+nocookie']);
    expect(udp.flags).toContain('tc');
    expect(udp.answer).toEqual([]);
    expect(udp.opt).not.toBeNull();
    const tcp = await h.dig(`big.${APEX}`, 'TXT', ['+norec', '+tcp', '+bufsize=512', '+nocookie']);
    expect(tcp.flags).not.toContain('tc');
    expect(tcp.answer).toHaveLength(12);
    const noEdns = await h.dig(`big.${APEX}`, 'TXT', ['+norec', '+ignore', '+noedns']);
    expect(noEdns.flags).toContain('tc');
    const fits = await h.dig(`big.${APEX}`, 'TXT', ['+norec', '+ignore', '+bufsize=1232', '+nocookie']);
    expect(fits.flags).not.toContain('tc');
    expect(fits.answer).toHaveLength(12);
  });
});
