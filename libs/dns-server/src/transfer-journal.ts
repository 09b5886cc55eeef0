/**
 * The IXFR journal of one serving process: a bounded ring of the overlay deltas it applied, each as the
 * RRsets it replaced (before/after), so an IXFR costs O(delta) (RFC 1995). A new base or a whole overlay
 * clears it: a client older than what the ring holds gets the whole zone instead.
 */
import type { Resource } from './dns2.js';
import { serialLessThan } from './serial.js';

export interface RRsetChange {
  zone: string;
  name: string;
  type: number;
  before: readonly Resource[];
  after: readonly Resource[];
}

interface Entry {
  from: number;
  to: number;
  changes: RRsetChange[];
}

/** One condensed IXFR difference: from the client's serial to the current one (RFC 1995 §4 allows it). */
export interface Difference {
  from: number;
  to: number;
  deleted: Resource[];
  added: Resource[];
}

function recordKey(r: Resource): string {
  return JSON.stringify({ ...r, name: '', ttl: r.ttl });
}

/** Clients remembered per base (those that took a transfer from here); more than this and we forget. */
const MAX_HELD = 4096;

/**
 * RRset changes the ring holds across its steps by default (issue 11: 1,000 failovers of 1,100 records
 * each would be 1.1 million, each with its records before and after). Older steps drop out first.
 */
export const DEFAULT_JOURNAL_CHANGES = 50_000;

export class TransferJournal {
  private entries: Entry[] = [];
  private head = 0;
  /**
   * The serial this process's base was installed at. The same serial may carry another base elsewhere (a
   * DNS process restarted with a changed static config keeps the stored serial until the decider's next
   * commit), so an IXFR from it is served only to a client that transferred that serial from here.
   */
  private baseSerial: number | null = null;
  private readonly held = new Set<string>();
  /** RRset changes in the live steps. */
  private changes = 0;

  /** `capacity` steps at most, and `maxChanges` RRset changes across them (the newest step always stays). */
  constructor(
    private readonly capacity: number,
    private readonly maxChanges = DEFAULT_JOURNAL_CHANGES,
  ) {}

  get size(): number {
    return this.entries.length - this.head;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.changes = 0;
  }

  /** A new base is served from `serial` on: the journal restarts, and who holds what from here with it. */
  resetBase(serial: number): void {
    this.clear();
    this.baseSerial = serial;
    this.held.clear();
  }

  /** `client` (an address) took `zone` at `serial` from this process. */
  noteTransferred(client: string, zone: string, serial: number): void {
    // Only the base serial matters: later serials are this process's own. A set, not the client's latest
    // serial, so that two secondaries behind one address do not take each other's place.
    if (serial !== this.baseSerial) return;
    if (this.held.size >= MAX_HELD) this.held.clear();
    this.held.add(`${client}|${zone}`);
  }

  /** Whether `client`'s copy of `zone` at `from` is known to be this base's (else it needs the whole zone). */
  holdsOurs(client: string, zone: string, from: number): boolean {
    return from !== this.baseSerial || this.held.has(`${client}|${zone}`);
  }

  /** Records a step; a step that does not follow the last one starts the ring afresh. */
  add(from: number, to: number, changes: RRsetChange[]): void {
    const last = this.entries.at(-1);
    if (this.size > 0 && last!.to !== from) this.clear();
    this.entries.push({ from, to, changes });
    this.changes += changes.length;
    while (this.size > this.capacity || (this.changes > this.maxChanges && this.size > 1)) {
      // The step's changes go now, not when the array is next compacted.
      const dropped = this.entries[this.head++]!;
      this.changes -= dropped.changes.length;
      dropped.changes = [];
    }
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * The condensed difference of `zone` from serial `from` to `to` (the served serial), or null when the
   * ring does not reach back to `from`.
   */
  difference(zone: string, from: number, to: number): Difference | null {
    let i = this.head;
    while (i < this.entries.length && this.entries[i]!.from !== from) {
      if (serialLessThan(from, this.entries[i]!.from)) return null;
      i++;
    }
    if (i >= this.entries.length || this.entries.at(-1)!.to !== to) return null;
    const net = new Map<string, { before: readonly Resource[]; after: readonly Resource[] }>();
    for (; i < this.entries.length; i++)
      for (const c of this.entries[i]!.changes) {
        if (c.zone !== zone) continue;
        const k = `${c.name}\u0000${c.type}`;
        const seen = net.get(k);
        net.set(k, { before: seen ? seen.before : c.before, after: c.after });
      }
    const deleted: Resource[] = [];
    const added: Resource[] = [];
    for (const { before, after } of net.values()) {
      const b = new Set(before.map(recordKey));
      const a = new Set(after.map(recordKey));
      // Only the records that differ: a TTL-only change shows as a delete and an add, which is right.
      for (const r of before) if (!a.has(recordKey(r))) deleted.push(r);
      for (const r of after) if (!b.has(recordKey(r))) added.push(r);
    }
    return { from, to, deleted, added };
  }
}
