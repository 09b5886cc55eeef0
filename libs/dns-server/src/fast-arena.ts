/**
 * A compact form of the fast table for large zones (issue 11): every key and body lives in one growable
 * arena Buffer, and everything else in typed arrays, so 110,000 names cost a few hundred thousand
 * array slots instead of a million small objects (FastName, FastAnswer, a Buffer per body).
 *
 * Entries can be replaced or removed one at a time (an overlay delta touches a few names): a changed
 * entry's new bytes are appended and its old ones counted dead, and the arena compacts itself when the
 * dead bytes outweigh the live ones. Bodies that carry an SOA (NODATA and NXDOMAIN shapes, the same for
 * most names of a zone) are stored once per distinct content, and their serials can be patched in place.
 * Reads never allocate: find() returns an entry id, answerOf() an answer id, the rest are array reads.
 */
import { PROBE_ABSENT_TYPE } from './constants.js';
import { slotOf } from './wire.js';

export interface ArenaAnswer {
  /** PROBE_ABSENT_TYPE marks the answer every type without its own gets. */
  qtype: number;
  aa: boolean;
  rcode: number;
  an: number;
  ns: number;
  ar: number;
  body: Uint8Array;
  /** Offset of the SOA serial within body, or -1 (body-encoder's serialAt). */
  serialAt: number;
}

export interface ArenaEntry {
  /** Lower-case wire-format name. */
  key: Uint8Array;
  hash: number;
  answers: readonly ArenaAnswer[];
  /** Caller's zone index when the name is a zone apex, else -1. */
  zone: number;
}

const NO_SERIAL = 0xffff;
const SHARED = 0x40;
const AA = 0x80;
const grow = <T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(a: T, n: number): T => {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (len: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
};

export class FastArena {
  bytes: Buffer;
  private used = 0;
  private dead = 0;
  // Per entry id.
  keyOff = new Uint32Array(16);
  keyLen = new Uint8Array(16);
  hash = new Int32Array(16);
  ansStart = new Uint32Array(16);
  ansCount = new Uint16Array(16);
  zone = new Int32Array(16);
  private entries = 0;
  private readonly freeIds: number[] = [];
  // Per answer id.
  qtype = new Uint16Array(64);
  off = new Uint32Array(64);
  len = new Uint16Array(64);
  an = new Uint16Array(64);
  ns = new Uint16Array(64);
  ar = new Uint16Array(64);
  /** AA bit, SHARED bit, rcode in the low nibble. */
  flags = new Uint8Array(64);
  private serialAt = new Uint16Array(64);
  private answersUsed = 0;
  private deadAnswers = 0;
  /** Distinct SOA-carrying bodies: content (latin1) → arena offset. */
  private shared = new Map<string, number>();
  // Open addressing: entry id + 1, 0 empty, -1 removed.
  private slots = new Int32Array(16);
  private tombstones = 0;
  size = 0;

  constructor(initialBytes = 1 << 16) {
    this.bytes = Buffer.alloc(initialBytes);
  }

  /** The entry whose key equals msg[start, end) case-insensitively, given that suffix's hash, or -1. */
  find(hash: number, msg: Uint8Array, start: number, end: number): number {
    const mask = this.slots.length - 1;
    for (let i = slotOf(hash, mask); ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) return -1;
      if (s > 0 && this.hash[s - 1] === hash && this.keyIs(s - 1, msg, start, end)) return s - 1;
    }
  }

  /** The answer id for qtype at an entry: its own, else the entry's answer for absent types. */
  answerOf(id: number, qtype: number): number {
    const from = this.ansStart[id]!;
    const to = from + this.ansCount[id]!;
    let other = -1;
    for (let a = from; a < to; a++) {
      const t = this.qtype[a]!;
      if (t === qtype) return a;
      if (t === PROBE_ABSENT_TYPE) other = a;
    }
    return other;
  }

  aa(a: number): boolean {
    return (this.flags[a]! & AA) !== 0;
  }

  rcode(a: number): number {
    return this.flags[a]! & 0x0f;
  }

  /** A view of an answer's body (allocates a view: for tests and tools; the query path copies by offset). */
  body(a: number): Buffer {
    return this.bytes.subarray(this.off[a], this.off[a]! + this.len[a]!);
  }

  /** Adds an entry, or replaces the one with the same key. */
  set(e: ArenaEntry): void {
    let id = this.findKey(e.key, e.hash);
    if (id >= 0) {
      this.release(id, false);
    } else {
      id = this.freeIds.pop() ?? this.entries++;
      this.growEntries(this.entries);
      this.keyOff[id] = this.put(e.key);
      this.keyLen[id] = e.key.length;
      this.hash[id] = e.hash;
      this.insertSlot(id);
      this.size++;
    }
    this.zone[id] = e.zone;
    this.ansCount[id] = e.answers.length;
    this.ansStart[id] = this.answersUsed;
    this.growAnswers(this.answersUsed + e.answers.length);
    for (const x of e.answers) this.addAnswer(this.answersUsed++, x);
    this.maybeCompact();
  }

  /** Removes the entry with this key; false when there is none. */
  delete(key: Uint8Array, hash: number): boolean {
    const id = this.findKey(key, hash);
    if (id < 0) return false;
    const mask = this.slots.length - 1;
    let i = slotOf(hash, mask);
    while (this.slots[i] !== id + 1) i = (i + 1) & mask;
    this.slots[i] = -1;
    this.tombstones++;
    this.release(id, true);
    this.freeIds.push(id);
    this.size--;
    this.maybeCompact();
    return true;
  }

  /** Writes `serial` into every SOA-carrying body; returns how many bodies were patched. */
  patchSerial(serial: number): number {
    let n = 0;
    const seen = new Set<number>();
    for (let id = 0; id < this.entries; id++) {
      if (this.keyLen[id] === 0) continue;
      for (let a = this.ansStart[id]!, to = a + this.ansCount[id]!; a < to; a++) {
        const at = this.serialAt[a]!;
        if (at === NO_SERIAL || seen.has(this.off[a]!)) continue;
        seen.add(this.off[a]!);
        this.bytes.writeUInt32BE(serial >>> 0, this.off[a]! + at);
        n++;
      }
    }
    return n;
  }

  /** Bytes held: the arena and every typed array (what the heap and external memory carry for it). */
  footprint(): { arena: number; live: number; dead: number; arrays: number } {
    const arrays = [this.keyOff, this.keyLen, this.hash, this.ansStart, this.ansCount, this.zone, this.qtype]
      .concat([this.off, this.len, this.an, this.ns, this.ar, this.flags, this.serialAt, this.slots])
      .reduce((s, a) => s + a.byteLength, 0);
    return { arena: this.bytes.length, live: this.used - this.dead, dead: this.dead, arrays };
  }

  /** Rewrites the arena and the answer arrays with live data only. */
  compact(): void {
    const old = this.bytes;
    const oldOff = this.off;
    const { qtype, len, an, ns, ar, flags, serialAt } = this;
    this.bytes = Buffer.alloc(Math.max(1 << 16, Math.ceil((this.used - this.dead) * 1.25)));
    this.used = this.dead = 0;
    this.shared = new Map();
    this.off = new Uint32Array(oldOff.length);
    const fresh = <T extends Uint8Array | Uint16Array>(a: T) =>
      new (a.constructor as new (n: number) => T)(a.length);
    [this.qtype, this.len, this.an, this.ns, this.ar, this.flags, this.serialAt] = [
      fresh(qtype),
      fresh(len),
      fresh(an),
      fresh(ns),
      fresh(ar),
      fresh(flags),
      fresh(serialAt),
    ];
    this.answersUsed = this.deadAnswers = 0;
    for (let id = 0; id < this.entries; id++) {
      if (this.keyLen[id] === 0) continue;
      this.keyOff[id] = this.put(old.subarray(this.keyOff[id], this.keyOff[id]! + this.keyLen[id]!));
      const from = this.ansStart[id]!;
      this.ansStart[id] = this.answersUsed;
      for (let a = from, to = from + this.ansCount[id]!; a < to; a++) {
        const at = serialAt[a]!;
        this.addAnswer(this.answersUsed++, {
          qtype: qtype[a]!,
          aa: (flags[a]! & AA) !== 0,
          rcode: flags[a]! & 0x0f,
          an: an[a]!,
          ns: ns[a]!,
          ar: ar[a]!,
          body: old.subarray(oldOff[a], oldOff[a]! + len[a]!),
          serialAt: at === NO_SERIAL ? -1 : at,
        });
      }
    }
  }

  private maybeCompact(): void {
    if (this.dead > 1 << 16 && this.dead > this.used - this.dead) this.compact();
    else if (this.deadAnswers > 1024 && this.deadAnswers > this.answersUsed - this.deadAnswers)
      this.compact();
    if ((this.size + this.tombstones) * 2 > this.slots.length) this.rehash();
  }

  private addAnswer(a: number, x: ArenaAnswer): void {
    if (x.body.length > 0xffff)
      throw new Error(`a body of ${x.body.length} octets does not fit in one message`);
    if (x.rcode < 0 || x.rcode > 15) throw new Error(`rcode ${x.rcode} does not fit in a DNS header`);
    let shared = false;
    if (x.serialAt >= 0) {
      const content = Buffer.from(x.body.buffer, x.body.byteOffset, x.body.length).toString('latin1');
      const at = this.shared.get(content);
      shared = true;
      if (at !== undefined) this.off[a] = at;
      else this.shared.set(content, (this.off[a] = this.put(x.body)));
    } else this.off[a] = this.put(x.body);
    this.qtype[a] = x.qtype;
    this.len[a] = x.body.length;
    this.an[a] = x.an;
    this.ns[a] = x.ns;
    this.ar[a] = x.ar;
    this.flags[a] = (x.aa ? AA : 0) | (shared ? SHARED : 0) | x.rcode;
    this.serialAt[a] = x.serialAt >= 0 ? x.serialAt : NO_SERIAL;
  }

  /** Counts an entry's answers (and, when removed, its key) as dead; shared bodies stay until compact(). */
  private release(id: number, key: boolean): void {
    for (let a = this.ansStart[id]!, to = a + this.ansCount[id]!; a < to; a++)
      if ((this.flags[a]! & SHARED) === 0) this.dead += this.len[a]!;
    this.deadAnswers += this.ansCount[id]!;
    this.ansCount[id] = 0;
    if (key) {
      this.dead += this.keyLen[id]!;
      this.keyLen[id] = 0;
    }
  }

  private put(src: Uint8Array): number {
    if (this.used + src.length > this.bytes.length) {
      const b = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + src.length));
      this.bytes.copy(b, 0, 0, this.used);
      this.bytes = b;
    }
    this.bytes.set(src, this.used);
    this.used += src.length;
    return this.used - src.length;
  }

  private keyIs(id: number, msg: Uint8Array, start: number, end: number): boolean {
    const n = this.keyLen[id]!;
    if (n !== end - start) return false;
    const k = this.keyOff[id]!;
    for (let j = 0; j < n; j++) {
      const b = msg[start + j]!;
      if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== this.bytes[k + j]) return false;
    }
    return true;
  }

  private findKey(key: Uint8Array, hash: number): number {
    return this.find(hash, key, 0, key.length);
  }

  private insertSlot(id: number): void {
    const mask = this.slots.length - 1;
    let i = slotOf(this.hash[id]!, mask);
    while (this.slots[i]! > 0) i = (i + 1) & mask;
    if (this.slots[i] === -1) this.tombstones--;
    this.slots[i] = id + 1;
  }

  private rehash(): void {
    let cap = 16;
    while (cap < this.size * 4) cap *= 2;
    this.slots = new Int32Array(cap);
    this.tombstones = 0;
    for (let id = 0; id < this.entries; id++) if (this.keyLen[id]! > 0) this.insertSlot(id);
  }

  private growEntries(n: number): void {
    this.keyOff = grow(this.keyOff, n);
    this.keyLen = grow(this.keyLen, n);
    this.hash = grow(this.hash, n);
    this.ansStart = grow(this.ansStart, n);
    this.ansCount = grow(this.ansCount, n);
    this.zone = grow(this.zone, n);
  }

  private growAnswers(n: number): void {
    this.qtype = grow(this.qtype, n);
    this.off = grow(this.off, n);
    this.len = grow(this.len, n);
    this.an = grow(this.an, n);
    this.ns = grow(this.ns, n);
    this.ar = grow(this.ar, n);
    this.flags = grow(this.flags, n);
    this.serialAt = grow(this.serialAt, n);
  }
}
