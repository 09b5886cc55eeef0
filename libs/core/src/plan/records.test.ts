import { describe, expect, it } from 'vitest';
import {
  canonicalRecord,
  compareRecords,
  indexRecords,
  recordKey,
  sameRecord,
  sortRecords,
} from './records.js';

const r = (name: string, values: string[], ttl = 60) => ({ name, type: 'A' as const, ttl, values });

describe('records', () => {
  it('keys by lower-case name and type', () => {
    expect(recordKey({ name: 'App.Example.', type: 'A' })).toBe('app.example./A');
  });

  it('canonical form sorts and de-duplicates values', () => {
    expect(canonicalRecord(r('X.', ['2', '1', '2']))).toEqual(r('x.', ['1', '2']));
  });

  it('sameRecord ignores value order and duplicates but not TTL, values or identity', () => {
    expect(sameRecord(r('a.', ['1', '2']), r('A.', ['2', '1', '1']))).toBe(true);
    expect(sameRecord(r('a.', ['1']), r('a.', ['1'], 61))).toBe(false);
    expect(sameRecord(r('a.', ['1']), r('a.', ['1', '2']))).toBe(false);
    expect(sameRecord(r('a.', ['1']), r('a.', ['3']))).toBe(false);
    expect(sameRecord(r('a.', ['1']), r('b.', ['1']))).toBe(false);
  });

  it('orders by key and indexes the last record of a key', () => {
    expect(compareRecords(r('a.', []), r('b.', []))).toBe(-1);
    expect(compareRecords(r('b.', []), r('a.', []))).toBe(1);
    expect(compareRecords(r('a.', []), r('A.', []))).toBe(0);
    expect(sortRecords([r('b.', ['2', '1']), r('a.', [])]).map((x) => [x.name, x.values])).toEqual([
      ['a.', []],
      ['b.', ['1', '2']],
    ]);
    expect(indexRecords([r('a.', ['1']), r('A.', ['2'])]).get('a./A')?.values).toEqual(['2']);
  });
});
