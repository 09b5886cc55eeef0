/**
 * When each failover record next needs the clock (a failback hold ending, a flip leaving the damping window),
 * so a tick evaluates only the records with a timer due: O(due · log n), not O(records). A min-heap with
 * lazy deletion: rescheduling leaves the old entry behind, and popDue skips entries that are no longer current.
 */
import type { FailoverRecordConfig } from './config-types.js';
import type { RecordState } from './state-types.js';

export class DueIndex {
  private readonly at = new Map<string, number>();
  private heap: [number, string][] = [];

  /** Sets (or clears, with null) the one due time of `id`. */
  schedule(id: string, when: number | null): void {
    if (when === null) {
      this.at.delete(id);
      return;
    }
    if (this.at.get(id) === when) return;
    this.at.set(id, when);
    this.push([when, id]);
    // Stale entries pile up when records are rescheduled often; rebuild once they dominate.
    if (this.heap.length > 2 * this.at.size + 1024) this.rebuild();
  }

  /** Removes and returns every id due at or before `now`. */
  popDue(now: number): string[] {
    const out: string[] = [];
    while (this.heap.length && this.heap[0]![0] <= now) {
      const [when, id] = this.pop();
      if (this.at.get(id) !== when) continue;
      this.at.delete(id);
      out.push(id);
    }
    return out;
  }

  get size(): number {
    return this.at.size;
  }

  private rebuild(): void {
    this.heap = [];
    for (const [id, when] of this.at) this.push([when, id]);
  }

  private push(e: [number, string]): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]![0] <= h[i]![0]) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private pop(): [number, string] {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]![0] < h[m]![0]) m = l;
        if (r < h.length && h[r]![0] < h[m]![0]) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The next time after `now` at which evaluating `rec` could give another result with nothing else changed:
 * a healthy answer's failback hold ending, or a flip leaving the damping window. Null when none.
 */
export function nextDue(rec: FailoverRecordConfig, rs: RecordState, now: number): number | null {
  let at = Infinity;
  if (typeof rec.failbackAfter === 'number') {
    // Only a tier above the one served can be failed back to.
    const active = rs.active;
    const cur = active.kind === 'answer' ? rec.answers.findIndex((a) => a.name === active.name) : -1;
    const above = cur >= 0 ? rec.answers.slice(0, cur) : rec.answers;
    for (const a of above) {
      const since = rs.healthySince[a.name] ?? null;
      if (since !== null && since + rec.failbackAfter > now) at = Math.min(at, since + rec.failbackAfter);
    }
  }
  const due = rs.pendingFailback?.dueAt;
  if (due !== undefined && due !== null && due > now) at = Math.min(at, due);
  if (rec.flapDamping) {
    for (const t of rs.flips) {
      const end = t + rec.flapDamping.window;
      if (end > now) at = Math.min(at, end);
    }
  }
  return at === Infinity ? null : at;
}
