/**
 * In-process ResultsBus for embedded mode: probes and the decider share one process.
 *
 * Delivery contract:
 * - One batch at a time, in publish order. Publishing before `consume` buffers.
 * - A rejected handler gets the SAME batch again after an exponential backoff (initialBackoffMs doubling up to
 *   maxBackoffMs) before any later batch (head-of-line, so order is kept).
 * - After `maxAttempts` failed deliveries (default 20, about a minute with the default backoff) the batch is
 *   dropped with an error log and counted in `stats().deadLettered`. Why not retry forever: results are
 *   last-writer-wins facts that the next check interval supersedes, while a poison batch held at the head
 *   would starve every newer result. Pass `maxAttempts: Infinity` for strict at-least-once.
 * - The queue is bounded (`maxQueued`, default 1000 batches). When full, the OLDEST waiting batch is dropped
 *   and counted (`stats().droppedOverflow`); the batch being delivered is never dropped this way.
 * - Batches are treated as immutable. `publish` copies the batch object and its `results` array (cheap even at
 *   10k results) so a publisher that reuses its buffer cannot change a queued batch; the ProbeResult objects
 *   themselves are shared and must not be mutated by anyone.
 * - Every batch is shape- and size-checked on publish, as the Redis bus checks what it consumes: a bad one
 *   is refused with the first problem named, and never reaches the decider (issue #10).
 * - `close()` stops delivery, discards what is still queued (in memory only) and resolves after the in-flight
 *   handler call settles.
 */
import type { BatchHandler, Logger, ResultBatch, ResultsBus } from '@understudy/core';
import { checkBatch } from '../redis/batch-check.js';

export interface MemoryResultsBusOptions {
  logger?: Logger;
  /** Most batches waiting for delivery; default 1000. */
  maxQueued?: number;
  /** First retry delay after a rejected handler; default 50 ms. */
  initialBackoffMs?: number;
  /** Retry delay cap; default 5000 ms. */
  maxBackoffMs?: number;
  /** Deliveries of one batch before it is dropped; default 20. */
  maxAttempts?: number;
}

export interface ResultsBusStats {
  queued: number;
  published: number;
  delivered: number;
  /** Handler rejections (each is followed by a redelivery or a dead-letter drop). */
  failures: number;
  droppedOverflow: number;
  deadLettered: number;
}

/** A double-ended queue with O(1) push and shift, so a full queue of 10k entries stays cheap. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    // Compact once the dead prefix dominates, keeping shift amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

function positiveInt(name: string, value: number): number {
  if (!(value >= 1) || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`MemoryResultsBus: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export class MemoryResultsBus implements ResultsBus {
  private readonly queue = new Fifo<ResultBatch>();
  private readonly maxQueued: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxAttempts: number;
  private readonly logger: Logger | undefined;

  private handler: BatchHandler | null = null;
  private closed = false;
  private inFlight: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** The batch at the head that failed and waits for its retry. */
  private retrying: { batch: ResultBatch; attempts: number } | null = null;
  private readonly counters = {
    published: 0,
    delivered: 0,
    failures: 0,
    droppedOverflow: 0,
    deadLettered: 0,
  };

  constructor(opts: MemoryResultsBusOptions = {}) {
    this.logger = opts.logger;
    this.maxQueued = positiveInt('maxQueued', opts.maxQueued ?? 1000);
    this.initialBackoffMs = Math.max(0, opts.initialBackoffMs ?? 50);
    this.maxBackoffMs = Math.max(this.initialBackoffMs, opts.maxBackoffMs ?? 5000);
    this.maxAttempts = positiveInt('maxAttempts', opts.maxAttempts ?? 20);
  }

  publish(batch: ResultBatch): Promise<void> {
    if (this.closed) return Promise.reject(new Error('MemoryResultsBus: publish after close'));
    const problem = checkBatch(batch);
    if (problem) return Promise.reject(new RangeError(`MemoryResultsBus: batch refused: ${problem}`));
    if (this.queue.length >= this.maxQueued) {
      const dropped = this.queue.shift();
      this.counters.droppedOverflow += 1;
      this.logger?.warn(
        { probeId: dropped?.probeId, region: dropped?.region, maxQueued: this.maxQueued },
        'results queue full: dropped the oldest batch',
      );
    }
    this.queue.push({ ...batch, results: [...batch.results] });
    this.counters.published += 1;
    this.pump();
    return Promise.resolve();
  }

  consume(handler: BatchHandler): Promise<void> {
    if (this.closed) return Promise.reject(new Error('MemoryResultsBus: consume after close'));
    if (this.handler) return Promise.reject(new Error('MemoryResultsBus: consume called twice'));
    this.handler = handler;
    this.pump();
    return Promise.resolve();
  }

  stats(): ResultsBusStats {
    return { queued: this.queue.length + (this.retrying ? 1 : 0), ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retrying = null;
    this.queue.clear();
    await this.inFlight;
  }

  /** Starts the next delivery when idle; re-entered after every delivery settles. */
  private pump(): void {
    if (this.closed || !this.handler || this.inFlight || this.retryTimer) return;
    const next = this.retrying ?? { batch: this.queue.shift(), attempts: 0 };
    if (!next.batch) return;
    this.retrying = null;
    const { batch, attempts } = next;
    this.inFlight = this.deliver(this.handler, batch, attempts + 1).finally(() => {
      this.inFlight = null;
      this.pump();
    });
  }

  private async deliver(handler: BatchHandler, batch: ResultBatch, attempt: number): Promise<void> {
    try {
      await handler(batch);
      this.counters.delivered += 1;
    } catch (err) {
      this.counters.failures += 1;
      if (this.closed) return;
      if (attempt >= this.maxAttempts) {
        this.counters.deadLettered += 1;
        this.logger?.error(
          { err, probeId: batch.probeId, region: batch.region, attempts: attempt },
          'results batch dropped after repeated handler failures',
        );
        return;
      }
      const delay = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (attempt - 1));
      const detail = { err, probeId: batch.probeId, attempt, retryInMs: delay };
      // Warn on the first failure and every tenth, so a long outage stays visible without flooding.
      if (attempt === 1 || attempt % 10 === 0) this.logger?.warn(detail, 'results handler failed');
      else this.logger?.debug(detail, 'results handler failed');
      this.retrying = { batch, attempts: attempt };
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.pump();
      }, delay);
    }
  }
}
