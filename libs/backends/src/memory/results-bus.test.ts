import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ResultBatch } from '@understudy/core';
import { describeResultsBusConformance, makeBatch, waitFor } from '../conformance/index.js';
import { MemoryResultsBus } from './results-bus.js';
import { recordingLogger } from '@understudy/testkit/logger';

describeResultsBusConformance('MemoryResultsBus', () => {
  const bus = new MemoryResultsBus();
  return Promise.resolve({ publisher: bus, consumer: bus, cleanup: () => bus.close() });
});

describe('MemoryResultsBus specifics', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('drops the oldest waiting batch when the queue is full and counts it', async () => {
    const logger = recordingLogger();
    const bus = new MemoryResultsBus({ maxQueued: 3, logger });
    for (let i = 0; i < 5; i++) await bus.publish(makeBatch('eu-west', i * 4));
    expect(bus.stats()).toMatchObject({ queued: 3, published: 5, droppedOverflow: 2 });
    expect(logger.entries.filter((l) => l.level === 'warn')).toHaveLength(2);
    const got: number[] = [];
    await bus.consume((b) => {
      got.push(b.results[0]!.seq);
      return Promise.resolve();
    });
    await waitFor(() => got.length >= 3, 'the kept batches');
    expect(got).toEqual([8, 12, 16]);
    await bus.close();
  });

  it('retries the head batch with exponential backoff capped at maxBackoffMs, before later batches', async () => {
    vi.useFakeTimers();
    const bus = new MemoryResultsBus({ initialBackoffMs: 50, maxBackoffMs: 300, maxAttempts: Infinity });
    const calls: { seq: number; at: number }[] = [];
    let failuresLeft = 5;
    await bus.consume((b) => {
      calls.push({ seq: b.results[0]!.seq, at: Date.now() });
      if (b.results[0]!.seq === 0 && failuresLeft-- > 0) return Promise.reject(new Error('not yet'));
      return Promise.resolve();
    });
    await bus.publish(makeBatch('eu-west', 0));
    await bus.publish(makeBatch('eu-west', 4));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls.map((c) => c.seq)).toEqual([0, 0, 0, 0, 0, 0, 4]);
    const gaps = calls.slice(1, 6).map((c, i) => c.at - calls[i]!.at);
    expect(gaps).toEqual([50, 100, 200, 300, 300]);
    expect(bus.stats()).toMatchObject({ failures: 5, delivered: 2, deadLettered: 0, queued: 0 });
    await bus.close();
  });

  it('drops a batch after maxAttempts failed deliveries with an error log, then moves on', async () => {
    const logger = recordingLogger();
    const bus = new MemoryResultsBus({ initialBackoffMs: 1, maxBackoffMs: 2, maxAttempts: 3, logger });
    const seen: number[] = [];
    await bus.consume((b) => {
      seen.push(b.results[0]!.seq);
      return b.results[0]!.seq === 0 ? Promise.reject(new Error('poison')) : Promise.resolve();
    });
    await bus.publish(makeBatch('eu-west', 0));
    await bus.publish(makeBatch('eu-west', 4));
    await waitFor(() => seen.includes(4), 'the next batch');
    expect(seen).toEqual([0, 0, 0, 4]);
    expect(bus.stats()).toMatchObject({ deadLettered: 1, failures: 3, delivered: 1 });
    const errors = logger.entries.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.obj).toMatchObject({ probeId: 'probe-eu-west-1', attempts: 3 });
    await bus.close();
  });

  it('is not affected by a publisher that reuses its results array after publishing', async () => {
    const bus = new MemoryResultsBus();
    const batch = makeBatch('us-east', 0, 3);
    const expected = structuredClone(batch);
    await bus.publish(batch);
    batch.results.length = 0;
    batch.region = 'changed';
    const got: ResultBatch[] = [];
    await bus.consume((b) => {
      got.push(b);
      return Promise.resolve();
    });
    await waitFor(() => got.length >= 1, 'the batch');
    expect(got[0]).toEqual(expected);
    await bus.close();
  });

  it('refuses a second consumer, consume after close, and bad options', async () => {
    const bus = new MemoryResultsBus();
    await bus.consume(() => Promise.resolve());
    await expect(bus.consume(() => Promise.resolve())).rejects.toThrow(/twice/);
    await bus.close();
    await expect(bus.consume(() => Promise.resolve())).rejects.toThrow(/after close/);
    expect(() => new MemoryResultsBus({ maxQueued: 0 })).toThrow(RangeError);
    expect(() => new MemoryResultsBus({ maxAttempts: 1.5 })).toThrow(RangeError);
  });

  it('close() cancels a pending retry', async () => {
    const bus = new MemoryResultsBus({ initialBackoffMs: 100 });
    let calls = 0;
    await bus.consume(() => {
      calls += 1;
      return Promise.reject(new Error('fail'));
    });
    await bus.publish(makeBatch('eu-west', 0));
    await waitFor(() => calls >= 1, 'the first delivery');
    await bus.close();
    await new Promise((r) => setTimeout(r, 250));
    expect(calls).toBe(1);
    expect(bus.stats().queued).toBe(0);
  });

  // issue #10: what reaches the decider is checked in-process too, with the Redis bus's shape and size caps.
  it('refuses malformed, hostile or oversized batches on publish, naming the problem', async () => {
    const bus = new MemoryResultsBus();
    const good = makeBatch('eu-west', 0);
    const longMessage = { ...good.results[0]!, ok: false, message: 'x'.repeat(5_000) };
    await expect(bus.publish({ ...good, results: [longMessage] })).rejects.toThrow(
      /batch refused: results\[0\]\.message: longer than 4096 characters/,
    );
    await expect(bus.publish({ ...good, region: 'r'.repeat(300) })).rejects.toThrow(
      /region: longer than 200/,
    );
    const many = Array.from({ length: 100_001 }, () => good.results[0]!);
    await expect(bus.publish({ ...good, results: many })).rejects.toThrow(
      /100001 results, more than the 100000/,
    );
    const badHealth = { ...good, health: { eventLoopDelay: 'slow' } } as unknown as ResultBatch;
    await expect(bus.publish(badHealth)).rejects.toThrow(/health\.eventLoopDelay: expected a finite number/);
    await bus.publish({
      ...good,
      health: { eventLoopDelay: 3, openFds: 20, fdLimit: null, probeErrors: 0 },
    });
    expect(bus.stats()).toMatchObject({ published: 1 });
    await bus.close();
  });
});
