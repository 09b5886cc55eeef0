/** Issue 14 (adaptive TTL): the overlay's per-record TTL is served, through deltas and full overlays. */
import { describe, expect, it } from 'vitest';
import type { OverlayUpdate } from '@understudy/core';
import { TYPE } from './constants.js';
import { Packet } from './dns2.js';
import { FastPath } from './fast-path.js';
import { ServedZones } from './served-zones.js';
import { APEX, APP, fixtureBase, overlay } from './test-support/base.js';
import { buildQuery } from './test-support/query.js';

const fast = new FastPath(1232);

/** The TTLs of the A answer for app, as the fast path answers it. */
function ttls(s: ServedZones): number[] {
  const n = fast.answer(buildQuery({ name: `app.${APEX}`, type: TYPE.A, edns: {} }), s.snapshot.table);
  expect(n).toBeGreaterThan(0);
  const reply = Packet.parse(fast.out.subarray(0, n));
  return reply.answers.map((a) => a.ttl);
}

describe('ServedZones: adaptive TTL (issue 14)', () => {
  it('serves the overlay TTL, and the slot TTL again once a delta lists the record without one', () => {
    const base = fixtureBase();
    const slotTtl = base.slots.find((s) => s.id === APP)!.ttl;
    const s = ServedZones.fromBase(base, { ...overlay(1, { [APP]: ['192.0.2.7'] }), ttls: { [APP]: 7 } });
    expect(ttls(s)).toEqual([7]);
    // Same values, TTL back to the slot's: still a change the server must serve.
    const r = s.apply({
      kind: 'delta',
      delta: { base: 1, serial: 2, epoch: 1, generatedAt: 0, records: { [APP]: ['192.0.2.7'] } },
    });
    expect(r.names).toBe(1);
    expect(ttls(s)).toEqual([slotTtl]);
    s.apply({
      kind: 'delta',
      delta: {
        base: 2,
        serial: 3,
        epoch: 1,
        generatedAt: 0,
        records: { [APP]: ['192.0.2.7', '192.0.2.8'] },
        ttls: { [APP]: 5 },
      },
    });
    expect(ttls(s)).toEqual([5, 5]);
    s.apply({ kind: 'full', overlay: overlay(4, { [APP]: ['192.0.2.7'] }) });
    expect(ttls(s)).toEqual([slotTtl]);
  });

  it('refuses a TTL that is not one, keeping what it served', () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(1, { [APP]: ['192.0.2.7'] }));
    const bad: OverlayUpdate = {
      kind: 'delta',
      delta: {
        base: 1,
        serial: 2,
        epoch: 1,
        generatedAt: 0,
        records: { [APP]: ['192.0.2.9'] },
        ttls: { [APP]: -1 },
      },
    };
    expect(() => s.apply(bad)).toThrow(/ttl -1 is not a TTL/);
    expect(s.snapshot.serial).toBe(1);
  });
});
