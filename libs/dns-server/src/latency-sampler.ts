/**
 * Sampled answer latency for the onQueries hook. The hot path pays one decrement per query; one query
 * in `every` is timed (two performance.now() calls), and at most `cap` samples are kept per report
 * interval, so cost stays flat under any load.
 */

export interface LatencySamples {
  /** One UDP query in this many was timed. */
  every: number;
  /** Receive → reply handed to the socket, in seconds. */
  seconds: number[];
}

export class LatencySampler {
  private left: number;
  private readonly buf: Float64Array;
  private n = 0;

  constructor(
    readonly every = 64,
    cap = 1024,
  ) {
    if (!Number.isInteger(every) || every < 1)
      throw new RangeError(`latency sampling needs every ≥ 1, got ${every}`);
    this.left = every;
    this.buf = new Float64Array(cap);
  }

  /** True when the query now arriving should be timed. */
  tick(): boolean {
    if (--this.left > 0) return false;
    this.left = this.every;
    return this.n < this.buf.length;
  }

  record(seconds: number): void {
    if (this.n < this.buf.length) this.buf[this.n++] = seconds;
  }

  /** The samples since the last drain, or null when there are none. */
  drain(): LatencySamples | null {
    if (this.n === 0) return null;
    const seconds = Array.from(this.buf.subarray(0, this.n));
    this.n = 0;
    return { every: this.every, seconds };
  }
}
