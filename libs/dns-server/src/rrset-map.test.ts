import { describe, expect, it } from 'vitest';
import type { RRsetModel } from './model.js';
import { RRsetMap } from './rrset-map.js';

const rr = (type: number): RRsetModel => ({ name: 'a.test.', type, ttl: 60, records: [] });

describe('RRsetMap', () => {
  it('behaves as a Map through one entry, a second type, deletes and clear', () => {
    const m = new RRsetMap();
    const ref = new Map<number, RRsetModel>();
    const same = () => {
      expect(m.size).toBe(ref.size);
      expect([...m]).toEqual([...ref]);
      expect([...m.keys()]).toEqual([...ref.keys()]);
      expect([...m.values()]).toEqual([...ref.values()]);
      for (const t of [1, 5, 28, 99]) {
        expect(m.has(t)).toBe(ref.has(t));
        expect(m.get(t)).toBe(ref.get(t));
      }
    };
    same();
    const a = rr(1);
    const cname = rr(5);
    const aaaa = rr(28);
    for (const step of [
      () => [m.set(1, a), ref.set(1, a)],
      () => [m.set(1, rr(1)), ref.set(1, m.get(1)!)],
      () => [m.delete(99), ref.delete(99)],
      () => [m.set(28, aaaa), ref.set(28, aaaa)],
      () => [m.set(5, cname), ref.set(5, cname)],
      () => [m.delete(1), ref.delete(1)],
      () => [m.clear(), ref.clear()],
      () => [m.set(5, cname), ref.set(5, cname)],
      () => [m.delete(5), ref.delete(5)],
    ]) {
      step();
      same();
    }
    const seen: number[] = [];
    m.set(1, a).set(28, aaaa);
    m.forEach((v, k, map) => {
      expect(map).toBe(m);
      expect(v.type).toBe(k);
      seen.push(k);
    });
    expect(seen).toEqual([1, 28]);
    expect(Object.prototype.toString.call(m)).toBe('[object RRsetMap]');
  });

  it('copyWith returns a copy with one RRset replaced or added, and leaves the original alone', () => {
    const a = rr(1);
    const a2 = rr(1);
    const aaaa = rr(28);
    const txt = rr(16);
    const entries = (m: RRsetMap) => [...m].map(([k, v]) => [k, v]);
    for (const start of [[], [a], [a, aaaa]] as const) {
      const m = new RRsetMap();
      for (const r of start) m.set(r.type, r);
      const before = entries(m);
      for (const put of [a2, txt]) {
        const ref = new Map(m);
        ref.set(put.type, put);
        const c = m.copyWith(put.type, put);
        expect(c).not.toBe(m);
        expect(entries(c)).toEqual([...ref].map(([k, v]) => [k, v]));
        expect(c.size).toBe(ref.size);
        expect(entries(m)).toEqual(before);
      }
    }
  });
});
