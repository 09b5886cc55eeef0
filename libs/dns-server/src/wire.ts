/**
 * Byte-level name handling for the fast path: scan the question name straight from the datagram and
 * hash every suffix case-insensitively, without allocating.
 */

const FNV_PRIME = 0x01000193;
const HASH_SEED = 0x811c9dc5 | 0;
/** A 255-octet name has at most 127 labels (one octet each plus its length octet). */
const MAX_LABELS = 128;

/** Wire form of a canonical name (lower case, trailing dot): length-prefixed labels, then a zero octet. */
export function nameToWire(canonical: string): Buffer {
  if (canonical === '.') return Buffer.from([0]);
  const parts = canonical.slice(0, -1).split('.');
  const out = Buffer.alloc(canonical.length + 1);
  let o = 0;
  for (const p of parts) {
    out[o++] = p.length;
    o += out.write(p, o, 'latin1');
  }
  out[o] = 0;
  return out;
}

/** Spreads the hash bits before masking, so names that differ only in their first label spread out. */
export function slotOf(hash: number, mask: number): number {
  return (hash ^ (hash >>> 15)) & mask;
}

/**
 * Reusable scanner state: label offsets and suffix hashes of the last name scanned.
 * `hashes[i]` covers the suffix starting at label i; `hashes[count]` is the root.
 */
export class NameScanner {
  readonly offsets = new Int32Array(MAX_LABELS + 1);
  readonly hashes = new Int32Array(MAX_LABELS + 1);
  count = 0;

  /**
   * Scans an uncompressed name at `start`. Returns the offset just past its zero octet, or -1 when the
   * name is compressed, malformed, longer than 255 octets or runs past `end`.
   */
  scan(msg: Uint8Array, start: number, end: number): number {
    let off = start;
    let n = 0;
    for (;;) {
      if (off >= end) return -1;
      const len = msg[off]!;
      if (len === 0) break;
      if (len > 63) return -1;
      this.offsets[n++] = off;
      off += len + 1;
      if (off - start > 254) return -1;
    }
    this.offsets[n] = off;
    this.count = n;
    return off + 1;
  }

  /** Hashes every suffix of the scanned name, right to left, each octet once, A-Z folded to a-z. */
  hashSuffixes(msg: Uint8Array): void {
    let h = HASH_SEED;
    const n = this.count;
    this.hashes[n] = h;
    for (let i = n - 1; i >= 0; i--) {
      const o = this.offsets[i]!;
      const len = msg[o]!;
      h = Math.imul(h ^ len, FNV_PRIME);
      for (let j = o + 1; j <= o + len; j++) {
        const b = msg[j]!;
        h = Math.imul(h ^ (b >= 0x41 && b <= 0x5a ? b | 0x20 : b), FNV_PRIME);
      }
      this.hashes[i] = h;
    }
  }
}

let hashScanner: NameScanner | undefined;

/** Hash of a whole lower-case wire name, as NameScanner computes it for label 0. */
export function hashWireName(wire: Buffer): number {
  // One scanner for every call: a new one allocates two typed arrays, and a table build hashes every name.
  const s = (hashScanner ??= new NameScanner());
  if (s.scan(wire, 0, wire.length) !== wire.length) throw new Error('not a wire-format name');
  s.hashSuffixes(wire);
  return s.hashes[0]!;
}

/** Case-insensitive compare of msg[start, end) with a lower-case key. */
export function keyEquals(key: Uint8Array, msg: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let j = 0; j < key.length; j++) {
    const b = msg[start + j]!;
    if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== key[j]) return false;
  }
  return true;
}
