import { describe, expect, it } from 'vitest';
import { dropShadowed, editDistance, formatPath, suggest } from './problems.js';
import type { RawProblem } from './problems.js';

describe('problem helpers', () => {
  it('formats paths with indices and quotes odd keys', () => {
    expect(formatPath(['zones', 0, 'failover', 1, 'answers', 0, 'check'])).toBe(
      'zones[0].failover[1].answers[0].check',
    );
    expect(formatPath(['checks', 'web', 'headers', 'x.y z'])).toBe('checks.web.headers["x.y z"]');
    expect(formatPath([])).toBe('');
  });

  it('measures edit distance with transpositions counted once', () => {
    expect(editDistance('interval', 'intervall')).toBe(1);
    expect(editDistance('wbe', 'web')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
    expect(editDistance('', 'ab')).toBe(2);
  });

  it('suggests only near misses', () => {
    expect(suggest('intervall', ['interval', 'timeout'])).toBe('interval');
    expect(suggest('hostheader', ['hostHeader', 'host'])).toBe('hostHeader');
    expect(suggest('colour', ['flushInterval', 'jitter'])).toBeUndefined();
  });

  it('lets env problems hide everything below them and semantic ones replace schema ones at the same spot', () => {
    const p = (path: (string | number)[], origin: RawProblem['origin'], atKey = false): RawProblem => ({
      path,
      message: origin,
      origin,
      atKey,
    });
    const kept = dropShadowed([
      p(['a'], 'env'),
      p(['a', 'b'], 'schema'),
      p(['a'], 'semantic'),
      p(['c'], 'schema'),
      p(['c'], 'semantic'),
      p(['d'], 'schema'),
      p(['d', 'e'], 'semantic'),
      p(['f'], 'schema', true),
      p(['f', 'g'], 'semantic'),
    ]);
    expect(kept.map((k) => [k.path.join('.'), k.origin])).toEqual([
      ['a', 'env'],
      ['c', 'semantic'],
      ['d', 'schema'],
      ['f', 'schema'],
      ['f.g', 'semantic'],
    ]);
  });
});
