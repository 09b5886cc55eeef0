/**
 * The capped audit timeline, ascending by seq with unique seqs. Issue 11: a change of 1,100 records brings
 * 1,100 events, so an append costs O(batch), never a copy of the whole log: prepare() checks a batch and
 * says what it adds without changing anything (the store persists first), apply() then adds it in place.
 * An entry is kept as its JSON text, and a new one starts as the event itself (the store takes the events
 * it is handed over, never to be changed again): its text is made when the events file takes it
 * (jsonOf), off the decision's path, and the object is then let go unless a reader has it. Readers (the
 * dashboard, `understudy status`) get a deep-frozen object, parsed from the text on first read or the
 * event itself frozen, and shared after that, so nothing they do can reach the stored timeline and
 * nothing is copied, serialised or frozen on the decision's path.
 * The log remembers the epoch of its newest append: a seq at or below the newest is a retry only from that
 * epoch (after a restart none is known, so any such seq is refused; a retry cannot outlive its process).
 */
import type { DecisionEvent } from '@understudy/core';
import { deepFreeze } from '@understudy/core';

/** One stored event: its JSON text, its object, or both (never neither). */
export interface EventEntry {
  readonly seq: number;
  json?: string;
  /** The event as handed over (until its text is made), or parsed and frozen on first read. */
  event?: DecisionEvent;
  /** A reader holds `event`: it stays, so every read shares it. */
  read?: boolean;
}
type Entry = EventEntry;

/** The entry's JSON text, made on first use; the object goes then unless a reader holds it. */
export function jsonOf(entry: EventEntry): string {
  if (entry.json === undefined) {
    entry.json = JSON.stringify(entry.event);
    if (!entry.read) entry.event = undefined;
  }
  return entry.json;
}

/** What prepare() found a batch adds; hand it to apply() once it is durable. */
export interface EventBatch {
  /** The events that are new and survive the cap, in the order given. */
  readonly events: readonly DecisionEvent[];
  /** Their entries (what the events file takes, jsonOf each), in the same order. */
  readonly entries: readonly EventEntry[];
  /** @internal The new entries in seq order. */
  readonly fresh: readonly Entry[];
  /** @internal The epoch to remember when anything is new. */
  readonly epoch: number | undefined;
}

/** Index of the first entry with seq >= target (entries.length when none). */
function lowerBound(entries: readonly Entry[], target: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.seq < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkedMax(max: number): number {
  if (!Number.isSafeInteger(max) || max < 1)
    throw new RangeError(`maxEvents must be a positive integer, got ${max}`);
  return max;
}

/** Two ascending, disjoint entry lists as one. */
function merge(a: readonly Entry[], b: readonly Entry[]): Entry[] {
  const out: Entry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.seq < b[j]!.seq)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

export class EventLog {
  private entries: Entry[];
  private epoch = 0;

  private constructor(
    entries: Entry[],
    readonly max: number,
  ) {
    this.entries = entries;
  }

  static empty(max: number): EventLog {
    return new EventLog([], checkedMax(max));
  }

  /**
   * A log from events read back from storage: sorted by seq, the first of any repeated seq kept, only the
   * newest `max` kept.
   */
  static load(max: number, events: readonly DecisionEvent[]): EventLog {
    checkedMax(max);
    // A stable sort keeps the first of a repeated seq ahead of the others.
    const sorted = events.slice().sort((a, b) => a.seq - b.seq);
    const unique = sorted.filter((e, i) => i === 0 || sorted[i - 1]!.seq !== e.seq);
    const kept = unique.slice(Math.max(0, unique.length - max));
    return new EventLog(
      kept.map((e) => ({ seq: e.seq, json: JSON.stringify(e) })),
      max,
    );
  }

  /** The epoch of the newest append (0: unknown). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** The newest seq, or -1 when empty. */
  get lastSeq(): number {
    return this.entries.at(-1)?.seq ?? -1;
  }

  /** Whether `seq` is stored. */
  has(seq: number): boolean {
    return this.entries[lowerBound(this.entries, seq)]?.seq === seq;
  }

  /**
   * The newest stored seq when `events` would reuse one: their lowest seq is at or below the newest stored
   * seq, and the newest was appended with another epoch. Null when the append may go ahead.
   */
  reusedBy(events: readonly DecisionEvent[], epoch: number): number | null {
    if (!events.length || epoch === this.epoch) return null;
    let lowest = Infinity;
    for (const e of events) lowest = Math.min(lowest, e.seq);
    return lowest <= this.lastSeq ? this.lastSeq : null;
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * What adding `events` (any order) would do, changing nothing. A seq already present (or repeated in the
   * batch) is kept as first seen, so a retried append is idempotent; the oldest beyond `max` would be dropped.
   * Throws a RangeError naming a seq that is not an integer.
   */
  prepare(events: readonly DecisionEvent[], epoch?: number): EventBatch {
    const given: Entry[] = [];
    const seen = new Set<number>();
    const last = this.lastSeq;
    for (const e of events) {
      if (!Number.isSafeInteger(e.seq)) throw new RangeError(`event seq must be an integer, got ${e.seq}`);
      if (seen.has(e.seq) || (e.seq <= last && this.has(e.seq))) continue;
      seen.add(e.seq);
      given.push({ seq: e.seq, event: e });
    }
    const fresh = given.slice().sort((a, b) => a.seq - b.seq);
    // The cap drops from the low end, so a new entry survives iff it is not below the new first seq.
    const total = this.entries.length + fresh.length;
    let floor = -Infinity;
    if (total > this.max) {
      const drop = total - this.max;
      const appending = !fresh.length || fresh[0]!.seq > last;
      const all = appending ? null : merge(this.entries, fresh);
      floor = all
        ? all[drop]!.seq
        : drop < this.entries.length
          ? this.entries[drop]!.seq
          : fresh[drop - this.entries.length]!.seq;
    }
    const entries = given.filter((f) => f.seq >= floor);
    return { events: entries.map((f) => f.event!), entries, fresh, epoch };
  }

  /** Adds a prepared batch in place (O(batch) when it comes after every stored seq, as a decider's does). */
  apply(batch: EventBatch): void {
    const { fresh } = batch;
    if (!fresh.length) return;
    if (fresh[0]!.seq > this.lastSeq) for (const f of fresh) this.entries.push(f);
    else this.entries = merge(this.entries, fresh);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    if (batch.epoch !== undefined) this.epoch = batch.epoch;
  }

  /** Newest first, only seq < before when given: deep-frozen and shared. */
  newestFirst(before: number | undefined, limit: number): DecisionEvent[] {
    const end = before === undefined ? this.entries.length : lowerBound(this.entries, before);
    const out: DecisionEvent[] = [];
    for (let i = end - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.entries[i]!;
      entry.event = deepFreeze(entry.event ?? (JSON.parse(entry.json!) as DecisionEvent));
      entry.read = true;
      out.push(entry.event);
    }
    return out;
  }

  /** The JSON text of every event, ascending by seq. */
  jsonLines(): string[] {
    return this.entries.map(jsonOf);
  }
}
