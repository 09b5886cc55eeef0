import { describe, expect, it } from 'vitest';
import { formatQuorum, parseQuorum } from './quorum.js';

describe('parseQuorum', () => {
  it('reads the named rules', () => {
    expect(parseQuorum('majority')).toEqual({ kind: 'majority' });
    expect(parseQuorum('all')).toEqual({ kind: 'all' });
    expect(parseQuorum('any')).toEqual({ kind: 'any' });
  });

  it('reads fractions and percentages', () => {
    expect(parseQuorum('2/3')).toEqual({ kind: 'fraction', numerator: 2, denominator: 3 });
    expect(parseQuorum('3/3')).toEqual({ kind: 'fraction', numerator: 3, denominator: 3 });
    expect(parseQuorum('60%')).toEqual({ kind: 'percent', percent: 60 });
    expect(parseQuorum('66.7%')).toEqual({ kind: 'percent', percent: 66.7 });
    expect(parseQuorum('100%')).toEqual({ kind: 'percent', percent: 100 });
  });

  it.each([
    ['4/3', /N must not exceed M/],
    ['0/3', /N must be at least 1/],
    ['1/0', /M must be at least 1/],
    ['0%', /\(0, 100\]/],
    ['101%', /\(0, 100\]/],
    ['most', /not a quorum/],
    ['Majority', /not a quorum/],
    ['2 / 3', /not a quorum/],
    ['-1/3', /not a quorum/],
    ['', /not a quorum/],
  ])('rejects %j', (input, message) => {
    expect(() => parseQuorum(input)).toThrow(message);
  });

  it('rejects non-strings', () => {
    expect(() => parseQuorum(2 as unknown as string)).toThrow(/must be a string/);
  });

  it.each(['majority', 'all', 'any', '2/3', '1/1', '60%', '66.5%'])('round-trips %s', (text) => {
    expect(formatQuorum(parseQuorum(text))).toBe(text);
  });
});
