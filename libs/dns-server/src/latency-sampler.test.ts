import { describe, expect, it } from 'vitest';
import { LatencySampler } from './latency-sampler.js';

describe('LatencySampler', () => {
  it('times one query in `every`, keeps at most `cap` samples per interval, and resets on drain', () => {
    const s = new LatencySampler(4, 2);
    const picks = Array.from({ length: 12 }, () => s.tick());
    expect(picks).toEqual([false, false, false, true, false, false, false, true, false, false, false, true]);
    s.record(0.00001);
    s.record(0.00002);
    s.record(0.5); // over the cap: ignored
    expect(s.drain()).toEqual({ every: 4, seconds: [0.00001, 0.00002] });
    expect(s.drain()).toBeNull();
  });

  it('stops picking queries while full, so no time is spent timing them', () => {
    const s = new LatencySampler(1, 1);
    expect(s.tick()).toBe(true);
    s.record(0.001);
    expect(s.tick()).toBe(false);
    s.drain();
    expect(s.tick()).toBe(true);
  });

  it('refuses a bad rate', () => {
    expect(() => new LatencySampler(0)).toThrow(RangeError);
  });
});
