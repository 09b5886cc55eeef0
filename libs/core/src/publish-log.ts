/**
 * Which switches each target has not confirmed yet, so markPublished costs what is new since the target's
 * last confirmation instead of a walk over every record (it runs per target on every tick). A log of
 * switches in serial order, and per target a cursor: everything before it was looked at for that target.
 * Superseded entries (the record switched again) are dropped once they make up half the log.
 */
export class PublishLog {
  private log: { id: string; serial: number }[] = [];
  private readonly cursors = new Map<string, number>();

  /** Seeds the log from stored switches (any order). */
  constructor(switches: Iterable<{ id: string; serial: number }>) {
    this.log = [...switches].sort((a, b) => a.serial - b.serial);
  }

  /** A record switched at `serial` (serials only grow). */
  add(id: string, serial: number): void {
    this.log.push({ id, serial });
  }

  /**
   * The entries `target` has not seen with a serial at or below `serial`, advancing its cursor past them;
   * `current(id, serial)` says whether an entry is still the record's latest switch (and compacts with it).
   */
  take(target: string, serial: number, current: (id: string, serial: number) => boolean): string[] {
    const out: string[] = [];
    let i = this.cursors.get(target) ?? 0;
    while (i < this.log.length && this.log[i]!.serial <= serial) {
      const e = this.log[i++]!;
      if (current(e.id, e.serial)) out.push(e.id);
    }
    this.cursors.set(target, i);
    this.compact(current);
    return out;
  }

  get length(): number {
    return this.log.length;
  }

  private compact(current: (id: string, serial: number) => boolean): void {
    if (this.log.length < 1024) return;
    const keep = this.log.map((e) => current(e.id, e.serial));
    const kept = keep.filter(Boolean).length;
    if (kept * 2 > this.log.length) return;
    // A cursor's new position: how many kept entries were before it.
    const before = [0];
    for (let i = 0; i < keep.length; i++) before.push(before[i]! + (keep[i] ? 1 : 0));
    for (const [t, c] of this.cursors) this.cursors.set(t, before[c]!);
    this.log = this.log.filter((_, i) => keep[i]);
  }
}
