import { describe, expect, it } from 'vitest';
import { applyDelta, materializeZoneState, overlayOf, overlayValues, updateSerial } from './overlay.js';
import type { ZoneOverlay } from './overlay.js';
import { newRecordState } from './state-init.js';
import { config } from './test-support/fixtures.js';
import { buildZoneState } from './zone-state.js';

describe('overlay', () => {
  const base: ZoneOverlay = {
    serial: 5,
    epoch: 1,
    generatedAt: 10,
    records: { a: ['192.0.2.1'], b: ['x.'] },
  };

  it('applies a delta that starts at its serial, replacing only the records it names', () => {
    const next = applyDelta(base, { base: 5, serial: 6, epoch: 2, generatedAt: 20, records: { a: [] } });
    expect(next).toEqual({ serial: 6, epoch: 2, generatedAt: 20, records: { a: [], b: ['x.'] } });
    expect(base.records.a).toEqual(['192.0.2.1']);
    expect(updateSerial({ kind: 'full', overlay: next! })).toBe(6);
  });

  it('refuses a delta with a gap or one that does not move forward', () => {
    expect(applyDelta(base, { base: 4, serial: 6, epoch: 1, generatedAt: 0, records: {} })).toBeNull();
    expect(applyDelta(base, { base: 5, serial: 5, epoch: 1, generatedAt: 0, records: {} })).toBeNull();
  });

  it('materializes to the same zone state the decider builds, with the first answer for absent records', () => {
    const cfg = config();
    const rec = cfg.zones[0]!.failover[0]!;
    const rs = newRecordState(rec);
    rs.values = ['198.51.100.10'];
    const overlay = overlayOf({ [rec.id]: rs }, 42, 3, 1000);
    expect(materializeZoneState(cfg, overlay)).toEqual(buildZoneState(cfg, { [rec.id]: rs }, 42, 3, 1000));
    const empty = { ...overlay, records: {} };
    expect(overlayValues(empty, rec)).toEqual(rec.answers[0]!.values);
    expect(materializeZoneState(cfg, empty).zones[0]!.rrsets.at(-1)!.values).toEqual(rec.answers[0]!.values);
  });
});
