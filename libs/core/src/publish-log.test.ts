import { describe, expect, it } from 'vitest';
import { PublishLog } from './publish-log.js';

/** A small deterministic generator (core stays free of Math.random in tests too). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

describe('PublishLog', () => {
  it('marks exactly what a walk over every record marks, through switches, publications and compaction', () => {
    const next = lcg(7);
    const records = Array.from({ length: 50 }, (_, i) => `r${i}`);
    const switched = new Map<string, number>(); // id → switchedSerial
    const published = new Map<string, Set<string>>(); // target → ids with publishedAt
    const log = new PublishLog([]);
    let serial = 0;
    for (let step = 0; step < 5_000; step++) {
      if (next() < 0.6) {
        serial++;
        const id = records[Math.floor(next() * records.length)]!;
        switched.set(id, serial);
        for (const set of published.values()) set.delete(id); // a switch resets publishedAt
        log.add(id, serial);
        continue;
      }
      const target = `t${Math.floor(next() * 3)}`;
      const upTo = Math.max(0, serial - Math.floor(next() * 5));
      const set = published.get(target) ?? new Set<string>();
      published.set(target, set);
      const expected = records.filter((id) => {
        const s = switched.get(id);
        return s !== undefined && s <= upTo && !set.has(id);
      });
      const got = log.take(target, upTo, (id, s) => switched.get(id) === s).filter((id) => !set.has(id));
      expect(new Set(got)).toEqual(new Set(expected));
      for (const id of got) set.add(id);
    }
    // Superseded entries were compacted away: the log stays near the number of records.
    expect(log.length).toBeLessThan(2_100);
  });

  it('starts from stored switches in any order', () => {
    const log = new PublishLog([
      { id: 'b', serial: 20 },
      { id: 'a', serial: 10 },
    ]);
    expect(log.take('dns', 15, () => true)).toEqual(['a']);
    expect(log.take('dns', 25, () => true)).toEqual(['b']);
    expect(log.take('r53', 25, () => true)).toEqual(['a', 'b']);
  });
});
