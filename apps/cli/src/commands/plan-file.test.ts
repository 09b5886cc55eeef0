import { describe, expect, it } from 'vitest';
import { markerLines } from './plan-format.js';
import { zoneDigest } from './plan-file.js';

const a = { name: 'a.example.test.', type: 'A' as const, ttl: 60, values: ['192.0.2.1', '192.0.2.2'] };
const b = { name: 'b.example.test.', type: 'A' as const, ttl: 60, values: ['192.0.2.3'] };

describe('zoneDigest', () => {
  it('does not depend on listing order, and changes with any value, TTL or ownership', () => {
    const base = zoneDigest({ zone: 'example.test.', owned: [a, b], foreign: [] });
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    const reordered = { ...a, values: [...a.values].reverse() };
    expect(zoneDigest({ zone: 'example.test.', owned: [b, reordered], foreign: [] })).toBe(base);
    expect(zoneDigest({ zone: 'example.test.', owned: [a, { ...b, ttl: 61 }], foreign: [] })).not.toBe(base);
    expect(zoneDigest({ zone: 'example.test.', owned: [a], foreign: [b] })).not.toBe(base);
  });
});

describe('markerLines', () => {
  it('lists the markers a target will write: a record as is, a comment with its record', () => {
    expect(
      markerLines([
        { record: 'a.example.test./A', kind: 'record', text: '_understudy-a.a.example.test. TXT 300 "x"' },
        { record: 'a.example.test./A', kind: 'comment', text: 'comment "understudy:owner=x"' },
      ]),
    ).toEqual([
      '  ownership markers to write (2):',
      '    + _understudy-a.a.example.test. TXT 300 "x"',
      '    + a.example.test./A comment "understudy:owner=x"',
    ]);
    expect(markerLines([])).toEqual([]);
  });
});
