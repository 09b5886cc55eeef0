/**
 * The capped audit timeline, ascending by seq with unique seqs. Values are copy-on-write: `with()` returns a
 * new log so a store can persist a candidate before committing it. Each entry keeps its JSON text so that
 * writing the state file joins strings instead of re-serialising up to maxEvents events on every write.
 */
import type { DecisionEvent } from '@understudy/core';
import { deepFreeze } from './deep-freeze.js';

interface Entry {
  event: DecisionEvent;
  json: string;
}

/** Index of the first entry with seq >= target (entries.length when none). */
function lowerBound(entries: readonly Entry[], target: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.event.seq < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class EventLog {
  private constructor(
    private readonly entries: readonly Entry[],
    readonly max: number,
  ) {}

  static empty(max: number): EventLog {
    if (!Number.isSafeInteger(max) || max < 1)
      throw new RangeError(`maxEvents must be a positive integer, got ${max}`);
    return new EventLog([], max);
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Adds events (any order). A seq already present is kept as is, so a retried append is idempotent.
   * The oldest events beyond `max` are dropped.
   */
  with(events: readonly DecisionEvent[]): EventLog {
    const next = this.entries.slice();
    for (const e of events) {
      if (!Number.isSafeInteger(e.seq)) throw new RangeError(`event seq must be an integer, got ${e.seq}`);
      const json = JSON.stringify(e);
      const entry: Entry = { event: deepFreeze(JSON.parse(json) as DecisionEvent), json };
      const last = next[next.length - 1];
      if (!last || last.event.seq < e.seq) {
        next.push(entry);
        continue;
      }
      const at = lowerBound(next, e.seq);
      if (next[at]?.event.seq !== e.seq) next.splice(at, 0, entry);
    }
    if (next.length > this.max) next.splice(0, next.length - this.max);
    return new EventLog(next, this.max);
  }

  /** Newest first, only seq < before when given. */
  newestFirst(before: number | undefined, limit: number): DecisionEvent[] {
    const end = before === undefined ? this.entries.length : lowerBound(this.entries, before);
    const out: DecisionEvent[] = [];
    for (let i = end - 1; i >= 0 && out.length < limit; i--) out.push(this.entries[i]!.event);
    return out;
  }

  toJson(): string {
    return `[${this.entries.map((e) => e.json).join(',')}]`;
  }
}
