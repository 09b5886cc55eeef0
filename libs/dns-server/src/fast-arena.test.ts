import { describe, expect, it } from 'vitest';
import { encodeBody } from './body-encoder.js';
import { PROBE_ABSENT_TYPE, RCODE, TYPE } from './constants.js';
import { FastArena } from './fast-arena.js';
import type { ArenaAnswer, ArenaEntry } from './fast-arena.js';
import { Packet } from './dns2.js';
import { seededRandom } from './test-support/random.js';
import { hashWireName, nameToWire } from './wire.js';

const soa = new Packet.Resource({
  name: 'example.test',
  type: TYPE.SOA,
  class: 1,
  ttl: 60,
  primary: 'ns1.example.test',
  admin: 'h.example.test',
  serial: 7,
  refresh: 1,
  retry: 2,
  expiration: 3,
  minimum: 60,
});

function a(name: string, address: string): ArenaAnswer {
  const r = new Packet.Resource({ name, type: TYPE.A, class: 1, ttl: 300, address });
  const { body, serialAt } = encodeBody(name, TYPE.A, [r], [], []);
  return { qtype: TYPE.A, aa: true, rcode: RCODE.NOERROR, an: 1, ns: 0, ar: 0, body, serialAt };
}

function nodata(name: string): ArenaAnswer {
  const { body, serialAt } = encodeBody(name, PROBE_ABSENT_TYPE, [], [soa], []);
  return { qtype: PROBE_ABSENT_TYPE, aa: true, rcode: RCODE.NOERROR, an: 0, ns: 1, ar: 0, body, serialAt };
}

function entry(name: string, address: string, hash?: number): ArenaEntry {
  const key = nameToWire(name);
  return { key, hash: hash ?? hashWireName(key), answers: [a(name, address), nodata(name)], zone: -1 };
}

/** The entry id for a name as a query spells it (any letter case), or -1. */
function lookup(arena: FastArena, name: string, hash?: number): number {
  const lower = nameToWire(name.toLowerCase());
  const msg = nameToWire(name);
  return arena.find(hash ?? hashWireName(lower), msg, 0, msg.length);
}

function addressAt(arena: FastArena, name: string, hash?: number): string | null {
  const id = lookup(arena, name, hash);
  if (id < 0) return null;
  const body = arena.body(arena.answerOf(id, TYPE.A));
  return [...body.subarray(body.length - 4)].join('.');
}

describe('FastArena', () => {
  it('finds entries case-insensitively and picks the answer for a qtype, else the absent-type answer', () => {
    const arena = new FastArena(64);
    arena.set(entry('www.example.test.', '192.0.2.1'));
    arena.set({ ...entry('example.test.', '192.0.2.2'), zone: 3 });
    const id = lookup(arena, 'WwW.Example.TEST.');
    expect(id).toBeGreaterThanOrEqual(0);
    const ans = arena.answerOf(id, TYPE.A);
    expect(arena.body(ans)).toEqual(a('www.example.test.', '192.0.2.1').body);
    expect([arena.aa(ans), arena.rcode(ans), arena.an[ans], arena.ns[ans]]).toEqual([true, 0, 1, 0]);
    const other = arena.answerOf(id, TYPE.MX);
    expect(arena.qtype[other]).toBe(PROBE_ABSENT_TYPE);
    expect(arena.ns[other]).toBe(1);
    expect(arena.zone[lookup(arena, 'example.test.')]).toBe(3);
    expect(lookup(arena, 'nope.example.test.')).toBe(-1);
    arena.set({
      ...entry('bare.example.test.', '192.0.2.3'),
      answers: [a('bare.example.test.', '192.0.2.3')],
    });
    expect(arena.answerOf(lookup(arena, 'bare.example.test.'), TYPE.MX)).toBe(-1);
  });

  it('replaces and removes single entries, probing past removed slots when hashes collide', () => {
    const arena = new FastArena();
    const names = ['a.test.', 'b.test.', 'c.test.', 'd.test.'];
    names.forEach((n, i) => arena.set(entry(n, `192.0.2.${i}`, 42)));
    arena.set(entry('b.test.', '198.51.100.1', 42));
    expect(arena.size).toBe(4);
    expect(addressAt(arena, 'b.test.', 42)).toBe('198.51.100.1');
    expect(arena.delete(nameToWire('a.test.'), 42)).toBe(true);
    expect(arena.delete(nameToWire('a.test.'), 42)).toBe(false);
    expect(addressAt(arena, 'a.test.', 42)).toBeNull();
    expect(['b.test.', 'c.test.', 'd.test.'].map((n) => addressAt(arena, n, 42))).toEqual([
      '198.51.100.1',
      '192.0.2.2',
      '192.0.2.3',
    ]);
    arena.set(entry('e.test.', '192.0.2.9', 42));
    expect(addressAt(arena, 'e.test.', 42)).toBe('192.0.2.9');
    expect(arena.size).toBe(4);
  });

  it('stores an SOA-carrying body once and patches its serial in place', () => {
    const arena = new FastArena();
    for (let i = 0; i < 100; i++) arena.set(entry(`h${i}.example.test.`, '192.0.2.1'));
    const others = [10, 50, 99].map((i) => arena.answerOf(lookup(arena, `h${i}.example.test.`), TYPE.MX));
    expect(new Set(others.map((x) => arena.off[x])).size).toBe(1);
    // The SOA owner points into the question, so bodies differ by the first label's length: h0-h9, h10-h99.
    expect(arena.patchSerial(4000000000)).toBe(2);
    const body = arena.body(others[1]!);
    const serialAt = nodata('h50.example.test.').serialAt;
    expect(body.readUInt32BE(serialAt)).toBe(4000000000);
    // The A bodies are untouched.
    expect(addressAt(arena, 'h7.example.test.')).toBe('192.0.2.1');
  });

  it('rejects what cannot be served: bodies past 65535 octets, rcodes past 15', () => {
    const arena = new FastArena();
    const big = { ...a('x.test.', '192.0.2.1'), body: new Uint8Array(70000) };
    expect(() => arena.set({ ...entry('x.test.', '192.0.2.1'), answers: [big] })).toThrow(/70000 octets/);
    const bad = { ...a('y.test.', '192.0.2.1'), rcode: 16 };
    expect(() => arena.set({ ...entry('y.test.', '192.0.2.1'), answers: [bad] })).toThrow(/rcode 16/);
  });

  it('agrees with a Map through 10,000 seeded random sets and deletes, and compacts what they leave dead', () => {
    const random = seededRandom(7);
    const arena = new FastArena(1024);
    const reference = new Map<string, string>();
    let compactedBelow = Infinity;
    for (let step = 0; step < 10000; step++) {
      const name = `n${Math.floor(random() * 500)}.${random() < 0.5 ? 'example' : 'other'}.test.`;
      if (random() < 0.25) {
        expect(arena.delete(nameToWire(name), hashWireName(nameToWire(name)))).toBe(reference.delete(name));
      } else {
        const address = `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${step & 255}`;
        arena.set(entry(name, address));
        reference.set(name, address);
      }
      if (step % 1000 === 999) {
        expect(arena.size).toBe(reference.size);
        for (let i = 0; i < 500; i++)
          for (const zone of ['example', 'other']) {
            const n = `n${i}.${zone}.test.`;
            expect(addressAt(arena, n)).toBe(reference.get(n) ?? null);
          }
        compactedBelow = Math.min(compactedBelow, arena.footprint().arena);
      }
    }
    const f = arena.footprint();
    // 1,000 names of about 40 octets of keys and bodies: dead bytes are reclaimed, not accumulated.
    expect(f.dead).toBeLessThanOrEqual(Math.max(1 << 16, f.live));
    expect(f.arena).toBeLessThan(1 << 18);
    expect(compactedBelow).toBeLessThan(1 << 18);
  });

  it('compact() keeps every answer, and shared bodies stay shared', () => {
    const arena = new FastArena();
    for (let i = 0; i < 300; i++) arena.set(entry(`h${i}.example.test.`, `192.0.2.${i & 255}`));
    for (let i = 0; i < 300; i += 2) arena.set(entry(`h${i}.example.test.`, `198.51.100.${i & 255}`));
    const before = arena.footprint();
    arena.compact();
    const after = arena.footprint();
    expect(after.dead).toBe(0);
    expect(after.live).toBe(before.live);
    for (let i = 0; i < 300; i++)
      expect(addressAt(arena, `h${i}.example.test.`)).toBe(`${i % 2 ? '192.0.2' : '198.51.100'}.${i & 255}`);
    expect(arena.patchSerial(9)).toBe(3); // one per first-label length: h0, h10, h100
  });
});
