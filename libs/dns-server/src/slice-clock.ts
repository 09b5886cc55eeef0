/**
 * Cuts a long piece of work into slices of about `sliceMs` (issue 11: a DNS worker answers queries between
 * the slices of an overlay update), and books where the time went for the publish breakdown.
 */
export type SlicePhase = 'plan' | 'encode' | 'commit';

export class SliceClock {
  planMs = 0;
  encodeMs = 0;
  commitMs = 0;
  /** Between slices: the event loop's other work (answering queries). */
  pausedMs = 0;
  slices = 1;
  private phase: SlicePhase = 'plan';
  private calls = 0;
  private mark = performance.now();
  private sliceEnd: number;

  /** `sliceMs` Infinity: one slice (a synchronous apply); 0: a slice per step (tests). */
  constructor(private readonly sliceMs: number) {
    this.sliceEnd = this.mark + sliceMs;
  }

  /** True when the slice is used up and the caller should pause. The clock is read every 16th step. */
  due(): boolean {
    if (this.sliceMs === Infinity) return false;
    if (this.sliceMs > 0 && (++this.calls & 15) !== 0) return false;
    return performance.now() >= this.sliceEnd;
  }

  /** The time since the last mark goes to the current phase; what follows, to `phase`. */
  enter(phase: SlicePhase): void {
    this.book();
    this.phase = phase;
  }

  /** Before a pause. */
  pausing(): void {
    this.book();
  }

  /** After a pause: a new slice starts. */
  resumed(): void {
    const now = performance.now();
    this.pausedMs += now - this.mark;
    this.mark = now;
    this.sliceEnd = now + this.sliceMs;
    this.slices++;
  }

  /** Books the time since the last mark to the current phase. */
  book(): void {
    const now = performance.now();
    const ms = now - this.mark;
    this.mark = now;
    if (this.phase === 'plan') this.planMs += ms;
    else if (this.phase === 'encode') this.encodeMs += ms;
    else this.commitMs += ms;
  }
}
