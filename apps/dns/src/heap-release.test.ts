import { afterEach, describe, expect, it, vi } from 'vitest';
import { onHeapReleased, releaseHeap, settleHeapAfterStart } from './heap-release.js';

const MB = 2 ** 20;

describe('releaseHeap', () => {
  it('gives back the pages a dead start-up peak left, not only the objects', () => {
    // A parse-like peak: many small objects live at once, all dead once the function returns.
    const peak = (): number => {
      const objects: { k: string; v: number[] }[] = [];
      for (let i = 0; i < 600_000; i++) objects.push({ k: `name-${i}`, v: [i, i + 1] });
      return objects.length;
    };
    expect(peak()).toBe(600_000);
    expect(releaseHeap()).toBe(true);
    const m = process.memoryUsage();
    // A plain full collection (gc()) left the heap about 200 MB above its live bytes here; the
    // memory-reducing one leaves it within a few pages.
    expect(m.heapTotal - m.heapUsed).toBeLessThan(48 * MB);
  });

  it('tells its listeners after each memory-reducing collection only, and survives one that throws', () => {
    const calls: string[] = [];
    const offThrowing = onHeapReleased(() => {
      throw new Error('listener bug');
    });
    const off = onHeapReleased(() => calls.push('released'));
    expect(releaseHeap(false)).toBe(true);
    expect(calls).toEqual([]);
    expect(releaseHeap()).toBe(true);
    expect(calls).toEqual(['released']);
    off();
    offThrowing();
    expect(releaseHeap()).toBe(true);
    expect(calls).toEqual(['released']);
  });
});

describe('settleHeapAfterStart', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('releases at once, again when the heap doubles, and stops after its window', () => {
    vi.useFakeTimers();
    const heap = { total: 400 * MB, used: 60 * MB };
    const released: number[] = [];
    const stop = settleHeapAfterStart({
      everyMs: 1000,
      windowMs: 10_000,
      heap: () => ({ ...heap }),
      release: () => {
        released.push(heap.total >> 20);
        heap.total = heap.used + 10 * MB;
        return true;
      },
    });
    expect(released).toEqual([400]);
    heap.total = 130 * MB; // under twice the 70 MB the release left
    vi.advanceTimersByTime(3000);
    expect(released).toEqual([400]);
    heap.total = 150 * MB;
    vi.advanceTimersByTime(1000);
    expect(released).toEqual([400, 150]);
    vi.advanceTimersByTime(10_000);
    heap.total = 900 * MB;
    vi.advanceTimersByTime(5000);
    expect(released).toEqual([400, 150]);
    stop();
  });

  it('releases at most maxReleases times', () => {
    vi.useFakeTimers();
    const h = { total: 900 * MB, used: MB };
    let calls = 0;
    const stop = settleHeapAfterStart({
      everyMs: 1000,
      maxReleases: 2,
      heap: () => ({ ...h }),
      release: () => {
        calls++;
        h.total = 100 * MB;
        return true;
      },
    });
    h.total = 900 * MB;
    vi.advanceTimersByTime(1000);
    expect(calls).toBe(2);
    h.total = 900 * MB;
    vi.advanceTimersByTime(5000);
    expect(calls).toBe(2);
    stop();
  });

  it('does nothing more when no collection is available, and nothing under the floor', () => {
    vi.useFakeTimers();
    let calls = 0;
    settleHeapAfterStart({
      everyMs: 1000,
      heap: () => ({ total: 900 * MB, used: MB }),
      release: () => (calls++, false),
    });
    vi.advanceTimersByTime(5000);
    expect(calls).toBe(1);
    calls = 0;
    const stop = settleHeapAfterStart({
      everyMs: 1000,
      floor: 64 * MB,
      heap: () => ({ total: 50 * MB, used: MB }),
      release: () => (calls++, true),
    });
    vi.advanceTimersByTime(5000);
    expect(calls).toBe(1); // the one at start only
    stop();
  });
});
