/**
 * For receivers: remembers the dedupe keys already handled. Feed it the `dedupeKey` from the verified
 * body, never the X-Understudy-Dedupe-Key header, which is not signed: a replay within the timestamp
 * tolerance, with another key in that header, would otherwise be handled twice.
 */
import { DEFAULT_TOLERANCE_MS } from './signature.js';

export interface DedupeOptions {
  /**
   * How long a key is remembered. At least twice the timestamp tolerance, so that a delivery cannot be
   * replayed after its key is forgotten; longer also drops retried duplicates. Default 24 h.
   */
  retainMs?: number;
  /** Keys kept at most; beyond it the oldest is forgotten, so memory stays bounded. Default 100,000. */
  max?: number;
}

export class DeliveryDedupe {
  /** Key → when it may be forgotten. Insertion order is expiry order, because retention is constant. */
  private readonly seen = new Map<string, number>();
  private readonly retainMs: number;
  private readonly max: number;

  constructor(opts: DedupeOptions = {}) {
    this.retainMs = opts.retainMs ?? 24 * 3600_000;
    this.max = opts.max ?? 100_000;
    if (this.retainMs < 2 * DEFAULT_TOLERANCE_MS)
      throw new RangeError(`retainMs must be at least ${2 * DEFAULT_TOLERANCE_MS} ms (twice the tolerance)`);
  }

  /** True the first time `key` is offered (handle the delivery), false for a duplicate. */
  firstSeen(key: string, now: number): boolean {
    for (const [k, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(k);
    }
    if (this.seen.has(key)) return false;
    if (this.seen.size >= this.max) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, now + this.retainMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}
