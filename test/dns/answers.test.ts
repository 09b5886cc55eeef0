/** Answer content with real dig and kdig: negatives, CNAME chasing, refusals, 0x20, ANY. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APEX, startHarness } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

const rr = (r: { answer: { name: string; type: string; data: string }[] }): string[] =>
  r.answer.map((a) => `${a.name} ${a.type} ${a.data}`);
const soaIn = (r: { authority: { name: string; type: string; ttl: number }[] }): string[] =>
  r.authority.map((a) => `${a.name} ${a.type} ${a.ttl}`);

describe('negative answers', () => {
  it('NXDOMAIN for a name that does not exist, with the SOA at the negative TTL', async () => {
    const r = await h.dig(`nope.${APEX}`, 'A', ['+norec']);
    expect(r.status).toBe('NXDOMAIN');
    expect(r.flags).toContain('aa');
    expect(soaIn(r)).toEqual([`${APEX} SOA 120`]);
  });

  it('NODATA for an empty non-terminal (RFC 8020), a missing type and an empty RRset', async () => {
    for (const [name, type] of [
      [`ent.${APEX}`, 'A'],
      [`www.${APEX}`, 'MX'],
      [`empty.${APEX}`, 'A'],
    ] as const) {
      const r = await h.dig(name, type, ['+norec']);
      expect(r.status, name).toBe('NOERROR');
      expect(r.answer).toEqual([]);
      expect(soaIn(r)).toEqual([`${APEX} SOA 120`]);
    }
  });

  it('REFUSED outside our zones, without AA: never an open resolver', async () => {
    for (const name of ['www.example.com', 'test', '.']) {
      const r = await h.dig(name, 'A', ['+rec']);
      expect(r.status, name).toBe('REFUSED');
      expect(r.flags).not.toContain('aa');
      expect(r.flags).not.toContain('ra');
      expect(r.answer).toEqual([]);
    }
  });

  it('REFUSED for zone transfers, over TCP and UDP', async () => {
    // dig prints no header for a failed transfer; kdig names the rcode.
    await expect(h.kdig(APEX, 'AXFR')).rejects.toThrow(/replied with error 'REFUSED'/);
    await expect(h.kdig(APEX, 'AXFR', ['+notcp'])).rejects.toThrow(/replied with error 'REFUSED'/);
  });
});

describe('CNAME chasing', () => {
  it('follows an in-zone chain to the data', async () => {
    const r = await h.dig(`alias.${APEX}`, 'A', ['+norec']);
    expect(r.status).toBe('NOERROR');
    expect(rr(r)).toEqual([
      `alias.${APEX} CNAME hop.${APEX}`,
      `hop.${APEX} CNAME www.${APEX}`,
      `www.${APEX} A 192.0.2.1`,
    ]);
  });

  it('stops where the chain leaves our zones', async () => {
    const r = await h.dig(`away.${APEX}`, 'A', ['+norec']);
    expect(r.status).toBe('NOERROR');
    expect(rr(r)).toEqual([`away.${APEX} CNAME www.elsewhere.example.`]);
    expect(r.authority).toEqual([]);
  });

  it('ends on a missing target with NXDOMAIN and the SOA (RFC 6604)', async () => {
    const r = await h.dig(`dangling.${APEX}`, 'A', ['+norec']);
    expect(r.status).toBe('NXDOMAIN');
    expect(rr(r)).toEqual([`dangling.${APEX} CNAME missing.${APEX}`]);
    expect(soaIn(r)).toEqual([`${APEX} SOA 120`]);
  });

  it('answers a CNAME query with the CNAME alone', async () => {
    const r = await h.dig(`alias.${APEX}`, 'CNAME', ['+norec']);
    expect(rr(r)).toEqual([`alias.${APEX} CNAME hop.${APEX}`]);
  });
});

describe('names and types', () => {
  it('keeps the asker letter case in the question and owner names (0x20)', async () => {
    const r = await h.dig('wWw.ExAmPlE.tEsT', 'A', ['+norec']);
    expect(r.raw).toMatch(/^;wWw\.ExAmPlE\.tEsT\.\s+IN\s+A$/m);
    expect(rr(r)).toEqual(['wWw.ExAmPlE.tEsT. A 192.0.2.1']);
    const tcp = await h.dig('WWW.example.TEST', 'AAAA', ['+norec', '+tcp']);
    expect(rr(tcp)).toEqual(['WWW.example.TEST. AAAA 2001:db8::1']);
  });

  it('answers ANY minimally with one RRset (RFC 8482)', async () => {
    const r = await h.dig(`www.${APEX}`, 'ANY', ['+norec']);
    expect(r.status).toBe('NOERROR');
    expect(rr(r)).toEqual([`www.${APEX} A 192.0.2.1`]);
  });

  it('serves MX and TXT data', async () => {
    expect(rr(await h.dig(`mail.${APEX}`, 'MX', ['+norec']))).toEqual([`mail.${APEX} MX 10 www.${APEX}`]);
    const txt = await h.dig(`big.${APEX}`, 'TXT', ['+norec', '+bufsize=4096']);
    expect(txt.answer[0]!.data).toMatch(/^"line \d+ y+"$/);
  });

  it('gives kdig the same answers', async () => {
    const a = await h.kdig(`alias.${APEX}`, 'A', ['+norec']);
    expect(rr(a)).toEqual([
      `alias.${APEX} CNAME hop.${APEX}`,
      `hop.${APEX} CNAME www.${APEX}`,
      `www.${APEX} A 192.0.2.1`,
    ]);
    const nx = await h.kdig(`nope.${APEX}`, 'A', ['+norec', '+tcp']);
    expect(nx.status).toBe('NXDOMAIN');
    expect(soaIn(nx)).toEqual([`${APEX} SOA 120`]);
    const bad = await h.kdig(APEX, 'SOA', ['+edns=1', '+nsid']);
    expect(bad.status).toBe('BADVERS');
    expect(bad.opt?.version).toBe(0);
  });
});
