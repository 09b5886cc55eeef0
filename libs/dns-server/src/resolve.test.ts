import { describe, expect, it } from 'vitest';
import { RCODE, TYPE } from './constants.js';
import type { Resource } from './dns2.js';
import { buildModel } from './model.js';
import { resolve } from './resolve.js';
import { complexZoneState, fixtureZoneState } from './test-support/zones.js';

const model = buildModel(fixtureZoneState());
const complex = buildModel(complexZoneState());

const names = (rs: Resource[]): string[] => rs.map((r) => `${r.name} ${r.type}`);

describe('resolve', () => {
  it('answers existing data authoritatively with nothing in the other sections', () => {
    const r = resolve(model, 'www.example.test.', TYPE.A);
    expect(r).toMatchObject({ rcode: RCODE.NOERROR, aa: true, authority: [], additional: [] });
    expect(r.answer.map((a) => a.address)).toEqual(['192.0.2.1']);
  });

  it('gives NXDOMAIN for absent names and NODATA for empty non-terminals (RFC 8020), both with the SOA', () => {
    const nx = resolve(model, 'nope.example.test.', TYPE.A);
    expect(nx.rcode).toBe(RCODE.NXDOMAIN);
    expect(names(nx.authority)).toEqual(['example.test 6']);
    // Negative TTL is min(SOA TTL 3600, minimum 300) (RFC 2308).
    expect(nx.authority[0]!.ttl).toBe(300);
    for (const ent of ['b.c.example.test.', 'c.example.test.']) {
      const r = resolve(model, ent, TYPE.A);
      expect(r.rcode).toBe(RCODE.NOERROR);
      expect(r.answer).toEqual([]);
      expect(names(r.authority)).toEqual(['example.test 6']);
    }
    expect(resolve(model, 'x.a.b.c.example.test.', TYPE.A).rcode).toBe(RCODE.NXDOMAIN);
  });

  it('gives NODATA for a type the name lacks and for an RRset marked empty', () => {
    expect(resolve(model, 'www.example.test.', TYPE.MX)).toMatchObject({ rcode: 0, answer: [] });
    const empty = resolve(model, 'empty.example.test.', TYPE.A);
    expect(empty).toMatchObject({ rcode: 0, aa: true, answer: [] });
    expect(empty.authority).toHaveLength(1);
    expect(resolve(model, 'www.example.test.', 1000).authority).toHaveLength(1);
  });

  it('refuses names outside every zone and picks the longest zone', () => {
    expect(resolve(model, 'www.example.com.', TYPE.A)).toMatchObject({ rcode: RCODE.REFUSED, aa: false });
    expect(resolve(model, '.', TYPE.SOA).rcode).toBe(RCODE.REFUSED);
    const sub = resolve(model, 'host.sub.example.test.', TYPE.A);
    expect(sub.answer.map((a) => a.address)).toEqual(['192.0.2.77']);
    expect(names(resolve(model, 'nope.sub.example.test.', TYPE.A).authority)).toEqual(['sub.example.test 6']);
  });

  it('chases in-zone CNAME chains and stops where the chain leaves our zones', () => {
    const chain = resolve(model, 'chain1.example.test.', TYPE.A);
    expect(names(chain.answer)).toEqual([
      'chain1.example.test 5',
      'chain2.example.test 5',
      'www.example.test 1',
    ]);
    expect(resolve(model, 'chain1.example.test.', TYPE.CNAME).answer).toHaveLength(1);
    const out = resolve(model, 'out.example.test.', TYPE.A);
    expect(out).toMatchObject({ rcode: 0, aa: true, authority: [] });
    expect(names(out.answer)).toEqual(['out.example.test 5']);
    const cross = resolve(model, 'cross.example.test.', TYPE.A);
    expect(names(cross.answer)).toEqual(['cross.example.test 5', 'www.other.test 1']);
  });

  it('ends a chain on a missing target with NXDOMAIN and that zone SOA (RFC 6604)', () => {
    const r = resolve(model, 'dangling.example.test.', TYPE.A);
    expect(r.rcode).toBe(RCODE.NXDOMAIN);
    expect(names(r.answer)).toEqual(['dangling.example.test 5']);
    expect(names(r.authority)).toEqual(['example.test 6']);
    const nodata = resolve(model, 'cross.example.test.', TYPE.AAAA);
    expect(names(nodata.authority)).toEqual(['other.test 6']);
  });

  it('stops CNAME loops', () => {
    const r = resolve(model, 'loop1.example.test.', TYPE.A);
    expect(r.rcode).toBe(RCODE.NOERROR);
    expect(names(r.answer)).toEqual(['loop1.example.test 5', 'loop2.example.test 5']);
  });

  it('answers ANY with one RRset (RFC 8482)', () => {
    expect(names(resolve(model, 'www.example.test.', TYPE.ANY).answer)).toEqual(['www.example.test 1']);
    expect(names(resolve(model, 'alias.example.test.', TYPE.ANY).answer)).toEqual(['alias.example.test 5']);
    expect(resolve(model, 'nope.example.test.', TYPE.ANY).rcode).toBe(RCODE.NXDOMAIN);
  });

  it('synthesises from wildcards for absent names only (RFC 4592)', () => {
    const w = resolve(complex, 'anything.complex.test.', TYPE.A);
    expect(w.answer.map((a) => `${a.name} ${a.address}`)).toEqual(['anything.complex.test 192.0.2.99']);
    expect(resolve(complex, 'a.b.complex.test.', TYPE.MX)).toMatchObject({ rcode: 0, answer: [] });
    expect(resolve(complex, 'real.complex.test.', TYPE.TXT).answer).toEqual([]);
  });

  it('refers queries at or below a delegation, with glue, not authoritatively', () => {
    const r = resolve(complex, 'www.deleg.complex.test.', TYPE.A);
    expect(r).toMatchObject({ rcode: 0, aa: false, answer: [] });
    expect(names(r.authority)).toEqual(['deleg.complex.test 2']);
    expect(r.additional.map((a) => a.address)).toEqual(['192.0.2.88']);
    expect(resolve(complex, 'deleg.complex.test.', TYPE.DS)).toMatchObject({ aa: true, answer: [] });
  });
});
