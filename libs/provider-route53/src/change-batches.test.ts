import type { Plan, ProviderRecord } from '@understudy/core';
import { describe, expect, it } from 'vitest';
import type { ZoneSnapshot } from './change-batches.js';
import { batchGroups, groupWeight, groupsFor, recordApplied } from './change-batches.js';
import { markerName, markerValue } from './marker.js';

const Z = 'example.com.';
const a = (i: number, last = 1, ttl = 60): ProviderRecord => ({
  name: `h${i}.${Z}`,
  type: 'A',
  ttl,
  values: [`10.0.${i % 250}.${last}`],
});
const plan = (p: Partial<Plan>): Plan => ({
  target: 't',
  zone: Z,
  creates: [],
  updates: [],
  deletes: [],
  conflicts: [],
  ...p,
});
const empty = (): ZoneSnapshot => ({ records: new Map(), markers: new Map(), special: new Map() });
const ownedSnap = (records: ProviderRecord[], owner = 'me'): ZoneSnapshot => {
  const s = empty();
  for (const r of records) {
    s.records.set(`${r.name}/${r.type}`, { ...r });
    s.markers.set(`${r.name}/${r.type}`, {
      wire: { name: markerName(r.name, r.type), type: 'TXT', ttl: 300, values: [markerValue(owner, r.type)] },
      owner,
    });
  }
  return s;
};

describe('change batches', () => {
  it('an update of an owned record is one UPSERT (weight 2); 1,200 of them make 3 batches', () => {
    const before = Array.from({ length: 1200 }, (_, i) => a(i));
    const updates = before.map((b, i) => ({ before: b, after: a(i, 2) }));
    const groups = groupsFor(plan({ updates }), 'me', ownedSnap(before));
    expect(groups[0]!.changes.map((c) => c.Action)).toEqual(['UPSERT']);
    expect(groupWeight(groups[0]!).elements).toBe(2);
    expect(batchGroups(groups).map((b) => b.length)).toEqual([500, 500, 200]);
  });

  it('a create carries a CREATE of its marker; taking over another owner UPSERTs the marker', () => {
    const [g] = groupsFor(plan({ creates: [a(1)] }), 'me', empty());
    expect(g!.changes.map((c) => [c.Action, c.ResourceRecordSet?.Type])).toEqual([
      ['CREATE', 'A'],
      ['CREATE', 'TXT'],
    ]);
    const theirs = ownedSnap([a(2)], 'them');
    const [t] = groupsFor(plan({ updates: [{ before: a(2), after: a(2, 9) }] }), 'me', theirs);
    expect(t!.changes.map((c) => c.Action)).toEqual(['UPSERT', 'UPSERT']);
    expect(t!.changes[1]!.ResourceRecordSet?.ResourceRecords?.[0]?.Value).toBe(markerValue('me', 'A'));
  });

  it('a delete repeats the values Route 53 holds, and removes the marker with it', () => {
    const snap = ownedSnap([a(3)]);
    snap.records.set(`h3.${Z}/A`, { name: `h3.${Z}`, type: 'A', ttl: 60, values: ['10.0.3.1'] });
    const [g] = groupsFor(plan({ deletes: [a(3)] }), 'me', snap);
    expect(g!.changes.map((c) => [c.Action, c.ResourceRecordSet?.Name])).toEqual([
      ['DELETE', `h3.${Z}`],
      ['DELETE', markerName(`h3.${Z}`, 'A')],
    ]);
  });

  it('respects the 32,000-character limit and never splits a record from its marker', () => {
    const long = (i: number): ProviderRecord => ({
      name: `t${i}.${Z}`,
      type: 'TXT',
      ttl: 60,
      values: [`"${'x'.repeat(250)}"`],
    });
    const groups = groupsFor(
      plan({ creates: Array.from({ length: 200 }, (_, i) => long(i)) }),
      'me',
      empty(),
    );
    const batches = batchGroups(groups);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      const w = b.reduce((n, g) => n + groupWeight(g).chars, 0);
      expect(w).toBeLessThanOrEqual(32_000);
      for (const g of b) expect(g.changes).toHaveLength(2);
    }
    expect(batches.flat()).toHaveLength(200);
  });

  it('recordApplied keeps the snapshot current for the next plan', () => {
    const snap = empty();
    const groups = groupsFor(plan({ creates: [a(4)] }), 'me', snap);
    recordApplied(snap, groups, 'me');
    expect(snap.markers.get(`h4.${Z}/A`)?.owner).toBe('me');
    recordApplied(snap, groupsFor(plan({ deletes: [a(4)] }), 'me', snap), 'me');
    expect(snap.records.size + snap.markers.size).toBe(0);
  });
});
