/**
 * What of the overlay the decider still has to commit: nothing, the deltas since the last accepted serial
 * (folded into one, so a failed commit is retried with what followed it), or the whole overlay (at start,
 * and after the store refused a delta as not starting at its serial). O(delta) per change.
 */
import {
  copyOverlay,
  mergeDeltas,
  updateSerial,
  type DecisionEngine,
  type OverlayDelta,
  type OverlayUpdate,
} from '@understudy/core';

export class OverlayPublisher {
  private pending: OverlayDelta | null = null;
  /** A new leader writes the whole overlay first: the store may hold another leader's or an old format. */
  private needFull = true;

  constructor(private readonly engine: DecisionEngine) {}

  /** A change the engine made. */
  note(delta: OverlayDelta | null): void {
    if (!delta || this.needFull) return;
    if (!this.pending) this.pending = delta;
    else if (this.pending.serial === delta.base) this.pending = mergeDeltas(this.pending, delta);
    else this.resync();
  }

  /** Something is still unstored. */
  get dirty(): boolean {
    return this.needFull || this.pending !== null;
  }

  /** The update the next commit carries, or null. */
  next(): OverlayUpdate | null {
    if (this.needFull) return { kind: 'full', overlay: copyOverlay(this.engine.overlay) };
    return this.pending ? { kind: 'delta', delta: this.pending } : null;
  }

  /** The store took `u` (or already had it). */
  accepted(u: OverlayUpdate | null): void {
    if (!u) return;
    if (u.kind === 'full') this.needFull = false;
    if (this.pending && this.pending.serial <= updateSerial(u)) this.pending = null;
  }

  /**
   * The store refused `u` as not fitting its serial: commit the whole overlay next, with a serial past the
   * stored one when it was the whole overlay that was refused.
   */
  refused(u: OverlayUpdate, storedSerial: number, now: number): void {
    if (u.kind === 'full') this.engine.advanceSerial(storedSerial, now);
    this.resync();
  }

  private resync(): void {
    this.needFull = true;
    this.pending = null;
  }
}
