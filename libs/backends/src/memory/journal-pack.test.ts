/** journal-pack (issue 11): packed lists unpack to JSON-equal, unshared items; malformed ones are named. */
import { describe, expect, it } from 'vitest';
import { makeEvents } from '../conformance/fixtures.js';
import { pack, sameJson, unpack } from './journal-pack.js';

describe('journal-pack', () => {
  it('compares JSON values deeply, an undefined key counting as absent', () => {
    expect(sameJson({ a: [1, { b: 2 }], c: undefined }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameJson([1], [1, 2])).toBe(false);
    expect(sameJson(null, {})).toBe(false);
  });

  it('writes each item after the first as what differs from the one before', () => {
    const items = [
      { a: 1, same: { deep: [1, 2] }, gone: 'x' },
      { a: 2, same: { deep: [1, 2] } },
      { a: 2, same: { deep: [1, 3] }, added: true },
    ];
    expect(pack(items)).toEqual([
      items[0],
      { s: { a: 2 }, d: ['gone'] },
      { s: { same: { deep: [1, 3] }, added: true } },
    ]);
    expect(unpack(pack(items), 'x')).toEqual(items);
  });

  it('round-trips events and hands back items that share nothing', () => {
    const events = makeEvents(1, 30).map((e) => ({
      ...e,
      type: 'answer-switched',
      severity: 'critical',
      evidence: { shared: { n: 1 } },
    }));
    const out = unpack(JSON.parse(JSON.stringify(pack(events))), 'ev');
    expect(out).toEqual(events);
    (out[0]!.evidence as { shared: { n: number } }).shared.n = 2;
    expect((out[1]!.evidence as { shared: { n: number } }).shared.n).toBe(1);
    expect(JSON.stringify(pack(events)).length).toBeLessThan(JSON.stringify(events).length / 2);
  });

  it('keeps a "__proto__" key as data', () => {
    const items = JSON.parse('[{"a":1},{"a":1,"__proto__":{"polluted":true}}]') as object[];
    const [, second] = unpack(JSON.parse(JSON.stringify(pack(items))), 'x');
    expect(Object.getPrototypeOf(second)).toBe(Object.prototype);
    expect(Object.hasOwn(second!, '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('names what is malformed', () => {
    expect(() => unpack({}, 'ev')).toThrow('ev: a packed list must be an array');
    expect(() => unpack([{ a: 1 }, 3], 'ev')).toThrow('ev[1]: not an object');
    expect(() => unpack([{ a: 1 }, { s: [] }], 'ev')).toThrow('ev[1]: "s" must be an object');
    expect(() => unpack([{ a: 1 }, { d: [1] }], 'ev')).toThrow('ev[1]: "d" must be a list of keys');
  });
});
