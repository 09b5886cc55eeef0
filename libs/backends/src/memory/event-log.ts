/**
 * The capped audit timeline, ascending by seq with unique seqs. Values are copy-on-write: `add()` returns a
 * new log so a store can persist a candidate before committing it. Each entry keeps its JSON text: appends
 * write exactly those lines, and a compaction joins strings instead of re-serialising up to maxEvents events.
 * The log remembers the epoch of its newest append: a seq at or below the newest is a retry only from that
 * epoch (after a restart none is known, so any such seq is refused; a retry cannot outlive its process).
 */
import type { DecisionEvent } from '@understudy/core';
import { deepFreeze } from '@understudy/core';

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

function checkedMax(max: number): number {
  if (!Number.isSafeInteger(max) || max < 1)
    throw new RangeError(`maxEvents must be a positive integer, got ${max}`);
  return max;
}

export class EventLog {
  private constructor(
    private readonly entries: readonly Entry[],
    readonly max: number,
    /** The epoch of the newest append (0: unknown). */
    readonly lastEpoch = 0,
  ) {}

  static empty(max: number): EventLog {
    return new EventLog([], checkedMax(max));
  }

  /**
   * A log from events read back from storage (the caller hands them over): sorted by seq, the first of any
   * repeated seq kept, only the newest `max` frozen and kept. Cheaper than with(): no defensive copy, and
   * nothing spent on events the cap drops.
   */
  static load(max: number, events: readonly DecisionEvent[]): EventLog {
    checkedMax(max);
    // A stable sort keeps the first of a repeated seq ahead of the others.
    const sorted = events.slice().sort((a, b) => a.seq - b.seq);
    const unique = sorted.filter((e, i) => i === 0 || sorted[i - 1]!.seq !== e.seq);
    const kept = unique.slice(Math.max(0, unique.length - max));
    return new EventLog(
      kept.map((e) => ({ event: deepFreeze(e), json: JSON.stringify(e) })),
      max,
    );
  }

  /** The newest seq, or -1 when empty. */
  get lastSeq(): number {
    return this.entries.at(-1)?.event.seq ?? -1;
  }

  /**
   * The newest stored seq when `events` would reuse one: their lowest seq is at or below the newest stored
   * seq, and the newest was appended with another epoch. Null when the append may go ahead.
   */
  reusedBy(events: readonly DecisionEvent[], epoch: number): number | null {
    if (!events.length || epoch === this.lastEpoch) return null;
    const lowest = Math.min(...events.map((e) => e.seq));
    return lowest <= this.lastSeq ? this.lastSeq : null;
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Adds events (any order). A seq already present is kept as is, so a retried append is idempotent.
   * The oldest events beyond `max` are dropped. `added` holds the JSON lines of the events that are new and
   * kept, in the order given: what an append-only file needs to receive.
   */
  add(events: readonly DecisionEvent[], epoch?: number): { log: EventLog; added: string[] } {
    const next = this.entries.slice();
    const fresh: Entry[] = [];
    for (const e of events) {
      if (!Number.isSafeInteger(e.seq)) throw new RangeError(`event seq must be an integer, got ${e.seq}`);
      const json = JSON.stringify(e);
      const entry: Entry = { event: deepFreeze(JSON.parse(json) as DecisionEvent), json };
      const last = next[next.length - 1];
      if (!last || last.event.seq < e.seq) {
        next.push(entry);
        fresh.push(entry);
        continue;
      }
      const at = lowerBound(next, e.seq);
      if (next[at]?.event.seq !== e.seq) {
        next.splice(at, 0, entry);
        fresh.push(entry);
      }
    }
    if (next.length > this.max) next.splice(0, next.length - this.max);
    // The cap drops from the low end, so a new entry survived iff it is not below the new first seq.
    const floor = next[0]?.event.seq ?? 0;
    const added = fresh.filter((f) => f.event.seq >= floor).map((f) => f.json);
    const lastEpoch = fresh.length && epoch !== undefined ? epoch : this.lastEpoch;
    return { log: new EventLog(next, this.max, lastEpoch), added };
  }

  /** Newest first, only seq < before when given. */
  newestFirst(before: number | undefined, limit: number): DecisionEvent[] {
    const end = before === undefined ? this.entries.length : lowerBound(this.entries, before);
    const out: DecisionEvent[] = [];
    for (let i = end - 1; i >= 0 && out.length < limit; i--) out.push(this.entries[i]!.event);
    return out;
  }

  /** The JSON text of every event, ascending by seq. */
  jsonLines(): string[] {
    return this.entries.map((e) => e.json);
  }
}
