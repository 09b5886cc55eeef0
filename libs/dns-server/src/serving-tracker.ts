/**
 * DnsWorkerPool's answer to "which serial is every live worker serving?". Each accepted zone state gets
 * a generation number (serials may repeat); workers acknowledge the generation they serve, and once
 * every live worker has acknowledged the newest one, its serial is reported, once. A newer state before
 * that supersedes the older one, which is then never reported.
 *
 * Issue 11: a worker's acknowledgement may carry the moment it started serving (its own clock, `at`); the
 * report then carries the latest such moment of the newest generation, which is when every worker served
 * it. The acknowledgements themselves can wait behind this process's other work (a probe batch ingested
 * right after a failover kept them 35 ms on the test machine), and queries never wait for them.
 */
export class ServingTracker<W> {
  /**
   * Live workers, the generation each last acknowledged (0: none yet) and when it said it started serving
   * it (null: it did not say).
   */
  private readonly acked = new Map<W, { gen: number; at: number | null }>();
  private gen = 0;
  private serial = 0;
  private reportedGen = 0;

  /** `servedAt`: the latest `at` of the workers' acknowledgements, null when one lacked it. */
  constructor(private readonly report: (serial: number, servedAt: number | null) => void) {}

  /** A new state was accepted; returns its generation, which the workers acknowledge. */
  accept(serial: number): number {
    this.gen++;
    this.serial = serial;
    this.check();
    return this.gen;
  }

  get latestGen(): number {
    return this.gen;
  }

  /** A worker that must serve the state before it counts as served everywhere. */
  add(w: W): void {
    this.acked.set(w, { gen: 0, at: null });
  }

  /** A worker that is gone: the others may now all be serving. */
  remove(w: W): void {
    if (this.acked.delete(w)) this.check();
  }

  /** `w` serves generation `gen`, since `at` (its clock) when it says. */
  ack(w: W, gen: number, at?: number): void {
    if (!this.acked.has(w)) return;
    this.acked.set(w, { gen, at: at ?? null });
    this.check();
  }

  private check(): void {
    if (this.gen === 0 || this.reportedGen === this.gen || this.acked.size === 0) return;
    let servedAt: number | null = -Infinity;
    for (const a of this.acked.values()) {
      if (a.gen !== this.gen) return;
      servedAt = a.at === null || servedAt === null ? null : Math.max(servedAt, a.at);
    }
    this.reportedGen = this.gen;
    this.report(this.serial, servedAt);
  }
}
