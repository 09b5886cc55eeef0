/** The base built from the config, under an overlay, is the zone state core materializes. */
import { materializeZoneState } from '@understudy/core';
import { describe, expect, it } from 'vitest';
import { config, failoverRecord } from '../../core/src/test-support/fixtures.js';
import { baseZoneState, soaWithSerial, updateProblem, zoneBaseFromConfig } from './zone-base.js';

const cfg = config({
  records: [
    failoverRecord(),
    failoverRecord({
      id: 'www.example.test./CNAME',
      name: 'www.example.test.',
      type: 'CNAME',
      answers: [{ name: 'primary', values: ['app.example.test.'], check: 'primary' }],
    }),
  ],
});

describe('zoneBaseFromConfig', () => {
  it('under an overlay gives exactly materializeZoneState: SOA serial, apex NS, static records, slots', () => {
    const base = zoneBaseFromConfig(cfg);
    expect(base.slots.map((s) => [s.id, s.values])).toEqual([
      ['app.example.test./A', ['192.0.2.10']],
      ['www.example.test./CNAME', ['app.example.test.']],
    ]);
    const overlay = {
      serial: 77,
      epoch: 3,
      generatedAt: 5,
      records: { 'app.example.test./A': ['198.51.100.10'] },
    };
    expect(baseZoneState(base, overlay)).toEqual(materializeZoneState(cfg, overlay));
    // JSON-safe: a worker may load it from a file.
    expect(JSON.parse(JSON.stringify(base))).toEqual(base);
  });

  it('replaces only the serial field of an SOA value', () => {
    expect(soaWithSerial('ns1.x. h.x. 0 3600 600 86400 60', 42)).toBe('ns1.x. h.x. 42 3600 600 86400 60');
  });

  it('checks an update cheaply against the slots, naming each bad value', () => {
    const slots = new Map(zoneBaseFromConfig(cfg).slots.map((s) => [s.id, s]));
    const d = (records: Record<string, string[]>) => ({
      kind: 'delta' as const,
      delta: { base: 1, serial: 2, epoch: 1, generatedAt: 0, records },
    });
    expect(updateProblem(slots, 1, d({ 'app.example.test./A': ['192.0.2.1'] }))).toBeNull();
    expect(updateProblem(slots, null, d({}))).toMatch(/no base/);
    expect(
      updateProblem(slots, 1, d({ 'app.example.test./A': ['::1'], 'www.example.test./CNAME': ['a.', 'b.'] })),
    ).toMatch(/app\.example\.test\.\/A: .*; www\.example\.test\.\/CNAME: a CNAME RRset holds one value/);
    const full = { kind: 'full' as const, overlay: { serial: -1, epoch: 1, generatedAt: 0, records: {} } };
    expect(updateProblem(slots, 1, full)).toMatch(/serial -1 is not a 32-bit/);
  });
});
