/**
 * DnsWorkerPool's answer to "which serial is every live worker serving?". Each accepted zone state gets
 * a generation number (serials may repeat); workers acknowledge the generation they serve, and once
 * every live worker has acknowledged the newest one, its serial is reported, once. A newer state before
 * that supersedes the older one, which is then never reported.
 */
export class ServingTracker<W> {
  /** Live workers and the generation each last acknowledged (0: none yet). */
  private readonly acked = new Map<W, number>();
  private gen = 0;
  private serial = 0;
  private reportedGen = 0;

  constructor(private readonly report: (serial: number) => void) {}

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
    this.acked.set(w, 0);
  }

  /** A worker that is gone: the others may now all be serving. */
  remove(w: W): void {
    if (this.acked.delete(w)) this.check();
  }

  ack(w: W, gen: number): void {
    if (!this.acked.has(w)) return;
    this.acked.set(w, gen);
    this.check();
  }

  private check(): void {
    if (this.gen === 0 || this.reportedGen === this.gen || this.acked.size === 0) return;
    for (const g of this.acked.values()) if (g !== this.gen) return;
    this.reportedGen = this.gen;
    this.report(this.serial);
  }
}
