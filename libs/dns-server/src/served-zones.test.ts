/** Overlay updates applied in place: same answers as a fresh build, cost by the change, atomic. */
import { describe, expect, it } from 'vitest';
import type { OverlayUpdate } from '@understudy/core';
import { TYPE } from './constants.js';
import { FastPath } from './fast-path.js';
import { ServedZones } from './served-zones.js';
import { answerQuery } from './slow-path.js';
import { APEX, APP, BASE_NAMES, FO_ALIAS, GLUE, fixtureBase, overlay } from './test-support/base.js';
import { buildQuery } from './test-support/query.js';

const fast = new FastPath(1232);
const QTYPES = [TYPE.A, TYPE.AAAA, TYPE.CNAME, TYPE.MX, TYPE.NS, TYPE.SOA, TYPE.TXT, TYPE.DS, 999];

/** Every reply of the fast path (or null when it declines) and of the slow path, UDP and TCP. */
function replies(s: ServedZones): string[] {
  const out: string[] = [];
  for (const name of BASE_NAMES)
    for (const type of QTYPES) {
      const q = buildQuery({ name, type, edns: {} });
      const n = fast.answer(q, s.snapshot.table);
      out.push(`${name} ${type} fast ${n > 0 ? fast.out.subarray(0, n).toString('hex') : '-'}`);
      for (const t of ['udp', 'tcp'] as const)
        out.push(
          `${name} ${type} ${t} ${answerQuery(q, t, s.snapshot, { payloadSize: 1232 })!.buf.toString('hex')}`,
        );
    }
  return out;
}

const delta = (base: number, serial: number, records: Record<string, string[]>): OverlayUpdate => ({
  kind: 'delta',
  delta: { base, serial, epoch: 1, generatedAt: 0, records },
});

describe('ServedZones.apply', () => {
  it('answers exactly as a fresh build of the same overlay, after deltas, full overlays and serial-only moves', () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(10));
    const steps: OverlayUpdate[] = [
      delta(10, 11, { [APP]: ['203.0.113.5', '203.0.113.6'] }),
      delta(11, 12, { [FO_ALIAS]: [`app.${APEX}`], [GLUE]: ['192.0.2.99'] }),
      delta(12, 13, { [APP]: [] }),
      delta(13, 14, { [FO_ALIAS]: [] }),
      delta(14, 15, {}),
      { kind: 'full', overlay: overlay(20, { [APP]: ['198.51.100.9'] }) },
      delta(20, 21, { [FO_ALIAS]: [`www.${APEX}`], [APP]: ['198.51.100.1'] }),
    ];
    let records: Record<string, string[]> = {};
    for (const u of steps) {
      records = u.kind === 'full' ? u.overlay.records : { ...records, ...u.delta.records };
      const r = s.apply(u);
      const want = ServedZones.fromBase(fixtureBase(), overlay(r.serial, records));
      expect(replies(s), JSON.stringify(u)).toEqual(replies(want));
    }
  });

  it('re-encodes O(1) bodies for a one-record delta on a zone of 20,000 names', () => {
    const s = ServedZones.fromBase(fixtureBase(20_000), overlay(1));
    expect(s.snapshot.table.encoded).toBeGreaterThan(20_000);
    const r = s.apply(delta(1, 2, { [APP]: ['203.0.113.5'] }));
    expect(r).toMatchObject({ serial: 2, names: 1 });
    // app itself, the two aliases that chain to it, the apex (SOA): a handful, not the zone.
    expect(r.bodies).toBeLessThan(40);
    const serialOnly = s.apply(delta(2, 3, {}));
    expect(serialOnly).toMatchObject({ serial: 3, names: 0 });
    expect(serialOnly.bodies).toBe(0); // bodies ending in the SOA are patched in place
  });

  it('refuses a delta whose base is not the served serial, and changes nothing', () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(5));
    const before = replies(s);
    expect(() => s.apply(delta(4, 6, { [APP]: ['203.0.113.5'] }))).toThrow(
      /delta from serial 4 does not apply: serving serial 5; send the full overlay/,
    );
    expect(() => s.apply(delta(5, 5, {}))).toThrow(/not above its base/);
    expect(s.snapshot.serial).toBe(5);
    expect(replies(s)).toEqual(before);
  });

  it('is atomic: a bad value or an oversized answer anywhere in the update leaves every answer as it was', () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(5));
    const before = replies(s);
    expect(() => s.apply(delta(5, 6, { [APP]: ['203.0.113.5'], [GLUE]: ['not-an-ip'] }))).toThrow(
      new RegExp(`${GLUE.replace(/[./]/g, '\\$&')}: .*not-an-ip`),
    );
    expect(() => s.apply(delta(5, 6, { [FO_ALIAS]: [`a.${APEX}`, `b.${APEX}`] }))).toThrow(/one value/);
    // Passes the value checks, fails while encoding (past 64 KiB): the model must be rolled back too.
    const many = Array.from({ length: 4200 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    expect(() => s.apply(delta(5, 6, { [APP]: many }))).toThrow(/too large/);
    expect(s.snapshot.serial).toBe(5);
    expect(replies(s)).toEqual(before);
    expect(s.apply(delta(5, 6, { [APP]: ['203.0.113.5'] })).serial).toBe(6);
  });

  it('ignores ids the base does not know (a config ahead of ours)', () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(1));
    expect(s.apply(delta(1, 2, { 'gone.fo.test./A': ['nonsense'] }))).toMatchObject({ serial: 2, names: 0 });
  });

  it('names every problem of a bad base', () => {
    const base = fixtureBase();
    base.slots.push({ ...base.slots[0]!, values: ['1.2.3'] });
    base.slots.push({ ...base.slots[1]!, id: 'x', zone: 'nowhere.test.' });
    expect(() => ServedZones.fromBase(base, overlay(1))).toThrow(
      /listed twice[\s\S]*nowhere\.test\.[\s\S]*app\.fo\.test\.\/A: duplicate RRset/,
    );
  });
});

describe('ServedZones.applySliced', () => {
  const steps: OverlayUpdate[] = [
    delta(10, 11, { [APP]: ['203.0.113.5', '203.0.113.6'] }),
    delta(11, 12, { [FO_ALIAS]: [`app.${APEX}`], [GLUE]: ['192.0.2.99'] }),
    delta(12, 13, { [APP]: [] }),
    { kind: 'full', overlay: overlay(20, { [APP]: ['198.51.100.9'] }) },
    delta(20, 21, { [FO_ALIAS]: [`www.${APEX}`], [APP]: ['198.51.100.1'] }),
  ];

  it('answers as before between slices (fast and slow path), then exactly as a fresh build', async () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(10));
    let records: Record<string, string[]> = {};
    let pauses = 0;
    for (const u of steps) {
      records = u.kind === 'full' ? u.overlay.records : { ...records, ...u.delta.records };
      const before = replies(s);
      const r = await s.applySliced(
        u,
        () => {
          pauses++;
          expect(replies(s), `between slices of ${JSON.stringify(u)}`).toEqual(before);
          return Promise.resolve();
        },
        0, // one name per slice
      );
      const want = ServedZones.fromBase(fixtureBase(), overlay(r.serial, records));
      expect(replies(s), JSON.stringify(u)).toEqual(replies(want));
    }
    expect(pauses).toBeGreaterThan(steps.length);
  });

  it('counts the bodies it encoded as apply() does', async () => {
    const a = ServedZones.fromBase(fixtureBase(), overlay(10));
    const b = ServedZones.fromBase(fixtureBase(), overlay(10));
    for (const u of steps) {
      const { stages: syncStages, ...sync } = a.apply(u);
      const { stages, ...sliced } = await b.applySliced(u, () => Promise.resolve(), 0);
      expect(sliced).toEqual(sync);
      expect(syncStages?.slices).toBe(1);
      expect(stages?.slices).toBeGreaterThanOrEqual(1);
    }
  });

  it('changes nothing when the update fails in a late slice', async () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(10));
    const before = replies(s);
    const encoded = s.snapshot.table.encoded;
    // Passes the value checks, fails while encoding (past 64 KiB), after other names' slices.
    const many = Array.from({ length: 4200 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const bad = delta(10, 11, { [FO_ALIAS]: [`app.${APEX}`], [APP]: many });
    await expect(s.applySliced(bad, () => Promise.resolve(), 0)).rejects.toThrow(/too large/);
    expect(replies(s)).toEqual(before);
    expect(s.snapshot.serial).toBe(10);
    expect(s.snapshot.table.encoded).toBe(encoded);
  });

  it('refuses to commit over a zone that changed while it paused', async () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(10));
    const u = delta(10, 11, { [APP]: ['203.0.113.5'], [FO_ALIAS]: [`app.${APEX}`] });
    let once = true;
    const p = s.applySliced(
      u,
      () => {
        if (once) s.apply(delta(10, 12, { [APP]: ['198.51.100.3'] }));
        once = false;
        return Promise.resolve();
      },
      0,
    );
    await expect(p).rejects.toThrow(/changed during a sliced update/);
    expect(s.snapshot.serial).toBe(12);
  });
});

describe('ServedZones.rehearse (issue 11)', () => {
  const pause = () => new Promise<void>((r) => setImmediate(r));

  it('plans an update of up to 256 records and changes nothing served', async () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(10));
    const before = replies(s);
    const encoded = s.snapshot.table.encoded;
    const planned = await s.rehearse(pause, () => false);
    expect(planned).toBeGreaterThan(0);
    expect(planned).toBeLessThanOrEqual(256);
    expect(s.snapshot.serial).toBe(10);
    expect(s.snapshot.table.encoded).toBe(encoded);
    expect(replies(s)).toEqual(before);
    // A real update after it applies as it would have without it.
    s.apply(delta(10, 11, { [APP]: ['198.51.100.77'] }));
    expect(replies(s)).toEqual(
      replies(ServedZones.fromBase(fixtureBase(), overlay(11, { [APP]: ['198.51.100.77'] }))),
    );
  });

  it('gives way when a real update waits: stops at the first pause', async () => {
    const s = ServedZones.fromBase(fixtureBase(), overlay(1));
    let pauses = 0;
    const planned = await s.rehearse(
      () => {
        pauses++;
        return pause();
      },
      () => true,
      256,
      0,
    );
    expect(planned).toBe(0);
    expect(pauses).toBe(1);
  });
});
