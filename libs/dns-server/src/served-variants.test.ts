/**
 * Issue 11: a failover record flipping back to the answer it served before reuses that answer's model
 * node and encoded bodies (no parse, no encode); a change re-encodes only the record's own answer at
 * its name when nothing else there reads it; and the answers stay exactly those of a fresh build.
 */
import { describe, expect, it } from 'vitest';
import type { OverlayUpdate, RRset } from '@understudy/core';
import { TYPE } from './constants.js';
import { FastPath } from './fast-path.js';
import { ServedZones } from './served-zones.js';
import { answerQuery } from './slow-path.js';
import { buildQuery } from './test-support/query.js';
import type { FailoverSlot, ZoneBase } from './zone-base.js';

const APEX = 'flip.test.';
const n = (label: string): string => (label === '@' ? APEX : `${label}.${APEX}`);
const SOLO = `${n('solo')}/A`;
const DUAL_A = `${n('dual')}/A`;
const DUAL_AAAA = `${n('dual')}/AAAA`;
const APEX_A = `${APEX}/A`;
const TARGET = `${n('target')}/A`;
const GLUE = `${n('ns.deleg')}/A`;
const NAMES = ['@', 'solo', 'dual', 'target', 'alias', 'ns1', 'nope', 'deleg', 'ns.deleg'].map(n);
const QTYPES = [TYPE.A, TYPE.AAAA, TYPE.CNAME, TYPE.NS, TYPE.SOA, TYPE.TXT, 999];

function base(): ZoneBase {
  const rrsets: RRset[] = [
    { name: APEX, type: 'SOA', ttl: 3600, values: [`ns1.${APEX} hostmaster.${APEX} 0 3600 600 86400 120`] },
    { name: APEX, type: 'NS', ttl: 3600, values: [n('ns1')] },
    { name: n('ns1'), type: 'A', ttl: 3600, values: ['192.0.2.53'] },
    { name: n('alias'), type: 'CNAME', ttl: 300, values: [n('target')] },
    // Other data at a failover record's name: its answers stay while the record's change.
    { name: n('solo'), type: 'TXT', ttl: 300, values: ['"kept"'] },
    // A delegation whose glue is a failover record: that name's answers are referrals.
    { name: n('deleg'), type: 'NS', ttl: 3600, values: [n('ns.deleg')] },
  ];
  const slot = (name: string, type: 'A' | 'AAAA', values: string[]): FailoverSlot => ({
    id: `${name}/${type}`,
    zone: APEX,
    name,
    type,
    ttl: 30,
    values,
  });
  return {
    zones: [{ apex: APEX, rrsets }],
    slots: [
      slot(n('solo'), 'A', ['198.51.100.1']),
      // Two records at one name: a flip of one changes the other's name's bodies too.
      slot(n('dual'), 'A', ['198.51.100.2']),
      slot(n('dual'), 'AAAA', ['2001:db8::2']),
      // At the apex: its node carries the SOA, whose serial moves with every update.
      slot(APEX, 'A', ['198.51.100.3']),
      // Read by a static alias.
      slot(n('target'), 'A', ['198.51.100.4']),
      slot(n('ns.deleg'), 'A', ['198.51.100.5']),
    ],
  };
}

const overlay = (serial: number, records: Record<string, string[]> = {}, ttls?: Record<string, number>) => ({
  serial,
  epoch: 1,
  generatedAt: 0,
  records,
  ...(ttls ? { ttls } : {}),
});

const fast = new FastPath(1232);

function replies(s: ServedZones): string[] {
  const out: string[] = [];
  for (const name of NAMES)
    for (const type of QTYPES) {
      const q = buildQuery({ name, type, edns: {} });
      const got = fast.answer(q, s.snapshot.table);
      out.push(`${name} ${type} fast ${got > 0 ? fast.out.subarray(0, got).toString('hex') : '-'}`);
      for (const t of ['udp', 'tcp'] as const)
        out.push(
          `${name} ${type} ${t} ${answerQuery(q, t, s.snapshot, { payloadSize: 1232 })!.buf.toString('hex')}`,
        );
    }
  return out;
}

describe('ServedZones: a failover record changing and flipping back', () => {
  it("re-encodes only the record's own answer on a change, and nothing on a flip back", () => {
    const s = ServedZones.fromBase(base(), overlay(1));
    const down = s.apply({ kind: 'delta', delta: { ...overlay(2, { [SOLO]: ['203.0.113.1'] }), base: 1 } });
    expect(down).toMatchObject({ names: 1, bodies: 1 });
    const up = s.apply({ kind: 'delta', delta: { ...overlay(3, { [SOLO]: ['198.51.100.1'] }), base: 2 } });
    expect(up).toMatchObject({ names: 1, bodies: 0 });
    const again = s.apply({ kind: 'delta', delta: { ...overlay(4, { [SOLO]: ['203.0.113.1'] }), base: 3 } });
    expect(again).toMatchObject({ names: 1, bodies: 0 });
    expect(replies(s)).toEqual(
      replies(ServedZones.fromBase(base(), overlay(4, { [SOLO]: ['203.0.113.1'] }))),
    );
  });

  it('answers as a fresh build through flips, flip-backs, TTL moves, shared names, the apex and aliases', async () => {
    const s = ServedZones.fromBase(base(), overlay(10));
    const sets: Record<string, string[]>[] = [
      {
        [SOLO]: ['203.0.113.1'],
        [DUAL_A]: ['203.0.113.2'],
        [APEX_A]: ['203.0.113.3'],
        [TARGET]: ['203.0.113.4'],
      },
      {
        [SOLO]: ['198.51.100.1'],
        [DUAL_A]: ['198.51.100.2'],
        [APEX_A]: ['198.51.100.3'],
        [TARGET]: ['198.51.100.4'],
      },
      { [DUAL_AAAA]: ['2001:db8::99'] },
      // dual/A back to a value it served while dual/AAAA held another: its name's bodies must be new.
      { [DUAL_A]: ['203.0.113.2'] },
      { [SOLO]: ['203.0.113.1'], [TARGET]: ['203.0.113.4'], [APEX_A]: ['203.0.113.3'] },
      { [SOLO]: ['198.51.100.1'], [TARGET]: [] },
      { [SOLO]: ['203.0.113.1'], [TARGET]: ['203.0.113.4'] },
      { [SOLO]: [], [GLUE]: ['203.0.113.5'] },
      // From NODATA to a new answer, and two addresses where there was one.
      { [SOLO]: ['203.0.113.7', '203.0.113.8'], [GLUE]: ['198.51.100.5'] },
      { [SOLO]: ['203.0.113.1'], [GLUE]: [] },
    ];
    let records: Record<string, string[]> = {};
    let serial = 10;
    let k = 0;
    for (const set of sets) {
      records = { ...records, ...set };
      const u: OverlayUpdate = { kind: 'delta', delta: { ...overlay(serial + 1, set), base: serial } };
      const r = k++ % 2 === 0 ? s.apply(u) : await s.applySliced(u, () => Promise.resolve(), 0);
      serial = r.serial;
      expect(replies(s), JSON.stringify(set)).toEqual(
        replies(ServedZones.fromBase(base(), overlay(serial, records))),
      );
    }
    // Same values, another TTL (issue 14's adaptive TTL): not the answer served before.
    const ttls = { [SOLO]: 5 };
    const u: OverlayUpdate = {
      kind: 'delta',
      delta: { ...overlay(serial + 1, { [SOLO]: ['198.51.100.1'] }), base: serial, ttls },
    };
    const r = s.apply(u);
    records = { ...records, [SOLO]: ['198.51.100.1'] };
    expect(replies(s)).toEqual(replies(ServedZones.fromBase(base(), overlay(r.serial, records, ttls))));
    const back = s.apply({
      kind: 'delta',
      delta: { ...overlay(r.serial + 1, { [SOLO]: ['203.0.113.1'] }), base: r.serial },
    });
    expect(back.bodies).toBe(0); // 203.0.113.1 with 30 s is what was served before the TTL move
    expect(replies(s)).toEqual(
      replies(ServedZones.fromBase(base(), overlay(back.serial, { ...records, [SOLO]: ['203.0.113.1'] }))),
    );
  });

  it('still rejects a bad value for a record that has a previous answer, changing nothing', () => {
    const s = ServedZones.fromBase(base(), overlay(1));
    s.apply({ kind: 'delta', delta: { ...overlay(2, { [SOLO]: ['203.0.113.1'] }), base: 1 } });
    const before = replies(s);
    expect(() =>
      s.apply({ kind: 'delta', delta: { ...overlay(3, { [SOLO]: ['198.51.100.1', 'bad'] }), base: 2 } }),
    ).toThrow(/bad/);
    expect(replies(s)).toEqual(before);
  });
});
