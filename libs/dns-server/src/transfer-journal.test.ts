import { describe, expect, it } from 'vitest';
import { TYPE } from './constants.js';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';
import { serialLessThan } from './serial.js';
import { TransferJournal } from './transfer-journal.js';

const a = (address: string): Resource =>
  new Packet.Resource({ name: 'app.z.test', type: TYPE.A, class: 1, ttl: 30, address });
const step = (before: string[], after: string[]) => [
  { zone: 'z.test.', name: 'app.z.test.', type: TYPE.A, before: before.map(a), after: after.map(a) },
];

describe('serialLessThan (RFC 1982)', () => {
  it('orders serials across the 2^32 wrap and leaves equal and undefined pairs unordered', () => {
    expect(serialLessThan(1, 2)).toBe(true);
    expect(serialLessThan(0xffffffff, 5)).toBe(true);
    expect(serialLessThan(5, 0xffffffff)).toBe(false);
    expect(serialLessThan(7, 7)).toBe(false);
    expect(serialLessThan(0, 0x80000000)).toBe(false);
  });
});

describe('TransferJournal', () => {
  it('condenses the steps from a serial into one difference, dropping what changed back', () => {
    const j = new TransferJournal(10);
    j.add(1, 2, step(['192.0.2.1'], ['192.0.2.2']));
    j.add(2, 3, step(['192.0.2.2'], ['192.0.2.1', '192.0.2.3']));
    const d = j.difference('z.test.', 1, 3)!;
    expect(d.deleted.map((r) => r.address)).toEqual([]);
    expect(d.added.map((r) => r.address)).toEqual(['192.0.2.3']);
    expect(j.difference('z.test.', 2, 3)!.deleted.map((r) => r.address)).toEqual(['192.0.2.2']);
    expect(j.difference('other.test.', 1, 3)).toEqual({ from: 1, to: 3, deleted: [], added: [] });
  });

  it('answers null (AXFR) once a serial fell out of the ring, after a gap, or for another current serial', () => {
    const j = new TransferJournal(2);
    j.add(1, 2, step(['192.0.2.1'], ['192.0.2.2']));
    j.add(2, 3, step(['192.0.2.2'], ['192.0.2.3']));
    j.add(3, 4, step(['192.0.2.3'], ['192.0.2.4']));
    expect(j.difference('z.test.', 1, 4)).toBeNull();
    expect(j.difference('z.test.', 2, 4)).not.toBeNull();
    expect(j.difference('z.test.', 2, 5)).toBeNull();
    j.add(9, 10, step(['192.0.2.4'], ['192.0.2.9']));
    expect(j.difference('z.test.', 3, 10)).toBeNull();
    expect(j.size).toBe(1);
  });

  it('holds at most maxChanges RRset changes across its steps, the newest step always (issue 11)', () => {
    const j = new TransferJournal(100, 3);
    const wide = (n: number, from: string, to: string) =>
      Array.from({ length: n }, () => step([from], [to])[0]!);
    j.add(1, 2, wide(1, '192.0.2.1', '192.0.2.2'));
    j.add(2, 3, wide(1, '192.0.2.2', '192.0.2.3'));
    j.add(3, 4, wide(1, '192.0.2.3', '192.0.2.4'));
    expect(j.difference('z.test.', 1, 4)).not.toBeNull();
    j.add(4, 5, wide(2, '192.0.2.4', '192.0.2.5'));
    // 1 + 1 + 2 would be 4 changes: the two oldest steps drop out.
    expect(j.size).toBe(2);
    expect(j.difference('z.test.', 2, 5)).toBeNull();
    expect(j.difference('z.test.', 3, 5)!.added.map((r) => r.address)).toEqual(['192.0.2.5']);
    // A step larger than the budget stays alone.
    j.add(5, 6, wide(10, '192.0.2.5', '192.0.2.6'));
    expect(j.size).toBe(1);
    expect(j.difference('z.test.', 5, 6)).not.toBeNull();
  });

  it('serves IXFR from the base serial only to clients that took it from this base', () => {
    const j = new TransferJournal(10);
    j.resetBase(100);
    expect(j.holdsOurs('127.0.0.1', 'z.test.', 100)).toBe(false);
    j.noteTransferred('127.0.0.1', 'z.test.', 100);
    // A later transfer to the same address (another secondary behind it) does not take the place.
    j.noteTransferred('127.0.0.1', 'z.test.', 101);
    expect(j.holdsOurs('127.0.0.1', 'z.test.', 100)).toBe(true);
    expect(j.holdsOurs('127.0.0.1', 'other.test.', 100)).toBe(false);
    expect(j.holdsOurs('192.0.2.7', 'z.test.', 100)).toBe(false);
    // Serials after the base are this process's own.
    expect(j.holdsOurs('192.0.2.7', 'z.test.', 101)).toBe(true);
    // A new base, even under the same serial, forgets who held the old one.
    j.resetBase(100);
    expect(j.holdsOurs('127.0.0.1', 'z.test.', 100)).toBe(false);
  });
});
