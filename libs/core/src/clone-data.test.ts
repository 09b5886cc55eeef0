import { describe, expect, it } from 'vitest';
import { cloneData } from './clone-data.js';

describe('cloneData', () => {
  it('copies plain data deeply, as structuredClone does', () => {
    const v = {
      a: 1,
      s: 'x',
      n: null,
      u: undefined,
      nan: Number.NaN,
      list: [1, { b: [2, 3] }, null],
      nested: { publishedAt: { builtin: 5 }, flips: [1, 2] },
    };
    const c = cloneData(v);
    expect(c).toEqual(structuredClone(v));
    expect(Object.keys(c)).toEqual(Object.keys(v)); // an undefined field stays a field
    c.nested.publishedAt.builtin = 6;
    c.list.push(4);
    (c.list[1] as { b: number[] }).b.push(9);
    expect(v.nested.publishedAt.builtin).toBe(5);
    expect(v.list).toHaveLength(3);
    expect((v.list[1] as { b: number[] }).b).toEqual([2, 3]);
  });

  it('hands what is not plain to structuredClone, never sharing it', () => {
    const when = new Date(5);
    const v = {
      when,
      m: new Map([['k', { x: 1 }]]),
      bare: Object.assign(Object.create(null) as object, { y: 2 }),
    };
    const c = cloneData(v);
    expect(c.when).toEqual(when);
    expect(c.when).not.toBe(when);
    expect(c.m.get('k')).toEqual({ x: 1 });
    expect(c.m).not.toBe(v.m);
    expect(c.bare).toEqual({ y: 2 });
  });
});
