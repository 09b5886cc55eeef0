import { describe, expect, it } from 'vitest';
import { systemClock, systemRandom } from './index.js';

describe('system clock and random', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const t = systemClock.now();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('draws numbers in [0, 1) that are not all equal', () => {
    const draws = Array.from({ length: 64 }, () => systemRandom.next());
    for (const d of draws) expect(d >= 0 && d < 1).toBe(true);
    expect(new Set(draws).size).toBeGreaterThan(1);
  });
});
