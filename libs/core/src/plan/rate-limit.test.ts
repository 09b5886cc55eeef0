import { describe, expect, it } from 'vitest';
import { backoffDelay, retryDelay, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('allows a burst of capacity, then spaces reservations at the refill rate', () => {
    const b = TokenBucket.perWindow(5, 1000); // 5/s, burst 5
    expect([0, 0, 0, 0, 0].map(() => b.take(1000))).toEqual([0, 0, 0, 0, 0]);
    // Reservations line up: the 6th waits 200 ms, the 7th 400 ms.
    expect(b.take(1000)).toBe(200);
    expect(b.take(1000)).toBe(400);
    expect(b.available(1000)).toBe(-2);
    // 600 ms later 3 tokens came back: one is free now, the next waits 200 ms.
    expect(b.take(1600)).toBe(0);
    expect(b.take(1600)).toBe(200);
  });

  it('refills up to capacity only, and never from a clock stepping back', () => {
    const b = new TokenBucket({ capacity: 2, refillPerMs: 0.001 });
    expect(b.take(0, 2)).toBe(0);
    expect(b.available(-5000)).toBe(0);
    expect(b.available(1000)).toBeCloseTo(1);
    expect(b.available(1_000_000)).toBe(2);
  });

  it('drainUntil makes the next reservation wait for the server-given time', () => {
    const b = TokenBucket.perWindow(1200, 300_000, 10);
    b.drainUntil(0, 3000);
    expect(b.take(0)).toBeGreaterThanOrEqual(3000);
    b.drainUntil(10_000, 5000); // already past: no effect beyond what is owed
    expect(b.available(10_000)).toBeLessThanOrEqual(10);
  });

  it('rejects nonsense options', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerMs: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: 1, refillPerMs: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ capacity: Number.NaN, refillPerMs: 1 })).toThrow(RangeError);
  });
});

describe('backoffDelay', () => {
  const o = { baseMs: 100, maxMs: 1000 };
  it('is full jitter under an exponential ceiling capped at maxMs', () => {
    expect(backoffDelay(0, o, 0.999999)).toBe(99);
    expect(backoffDelay(2, o, 0.5)).toBe(200);
    expect(backoffDelay(10, o, 0.5)).toBe(500);
    expect(backoffDelay(3, o, 0)).toBe(0);
    expect(backoffDelay(-1, o, 0.5)).toBe(50);
    expect(backoffDelay(1, o, 7)).toBe(200);
    expect(backoffDelay(1, o, -1)).toBe(0);
  });

  it('retryDelay honours Retry-After as a floor', () => {
    expect(retryDelay(0, o, 0.5, 5000)).toBe(5000);
    expect(retryDelay(3, o, 0.5, 10)).toBe(400);
    expect(retryDelay(3, o, 0.5)).toBe(400);
  });
});
