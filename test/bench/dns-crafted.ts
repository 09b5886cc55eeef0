/** Hostile DNS messages for the abuse benchmark and the fuzzer: oversized, many-record, malformed. */

const NAMES = ['www', 'app', 'api', 'mail', 'nope'];

/** A plain query for `<label>.<apex>` (apex without the trailing dot), optionally with an OPT. */
export function query(id: number, name: string, type = 1, edns = false): Buffer {
  const labels = name.split('.').filter(Boolean);
  const wire = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
  const h = Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, edns ? 1 : 0]);
  const opt = edns ? Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]) : Buffer.alloc(0);
  return Buffer.concat([h, wire, Buffer.from([type >> 8, type & 0xff, 0, 1]), opt]);
}

export function legitName(i: number, apex: string): string {
  return `${NAMES[i % NAMES.length]!}.${apex}`;
}

/**
 * A query followed by as many well-formed TXT records as fit in `size` octets, counted in the answer
 * section (or, with `section = 'additional'`, the additional one): what dns2's full parse decoded
 * record by record.
 */
export function manyRecords(size: number, apex: string, section: 'answer' | 'additional' = 'answer'): Buffer {
  const q = query(0xbeef, `www.${apex}`);
  const rr = Buffer.from([0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 9, 8, ...Buffer.from('abcdefgh')]);
  const count = Math.floor((size - q.length) / rr.length);
  q.writeUInt16BE(count, section === 'answer' ? 6 : 10);
  return Buffer.concat([q, ...Array<Buffer>(count).fill(rr)]);
}

/** Deterministic pseudo-random bytes (an LCG), so a run can be replayed. */
export function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
}

/** A message from `seeds` with 1–4 octets changed, sometimes cut short or with a count rewritten. */
export function mutate(seeds: Buffer[], rand: () => number): Buffer {
  const m = Buffer.from(seeds[rand() % seeds.length]!);
  const flips = 1 + (rand() % 4);
  for (let f = 0; f < flips; f++) m[rand() % m.length] = rand() & 0xff;
  const r = rand() % 10;
  if (r === 0) return m.subarray(0, rand() % m.length);
  if (r === 1 && m.length >= 12) m.writeUInt16BE(rand() & 0xffff, 4 + 2 * (rand() % 4));
  if (r === 2) return Buffer.concat([m, Buffer.alloc(rand() % 64, rand() & 0xff)]);
  return m;
}

/** Seeds for mutation: plain, EDNS, other types, the largest answer, an opcode, a many-record query. */
export function fuzzSeeds(apex: string): Buffer[] {
  const big = manyRecords(600, apex, 'additional');
  return [
    query(1, `www.${apex}`),
    query(2, `app.${apex}`, 28, true),
    query(3, `nope.${apex}`, 16, true),
    query(4, apex, 6),
    query(5, apex, 255, true),
    query(7, `big.${apex}`, 16, true), // the largest answer: 12 TXT strings, about 1 KB
    Buffer.concat([
      query(6, `www.${apex}`).subarray(0, 2),
      Buffer.from([0x10]),
      query(6, `www.${apex}`).subarray(3),
    ]),
    big,
  ];
}
