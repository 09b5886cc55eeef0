import { describe, expect, it } from 'vitest';
import { config, failoverRecord } from '../test-support/fixtures.js';
import type { ZoneState } from '../state-types.js';
import { desiredRecords, failoverAnswerValues, failoverKeys } from './desired.js';

const cname = failoverRecord({
  id: 'www.example.test./CNAME',
  name: 'www.example.test.',
  type: 'CNAME',
  ttl: 300,
  answers: [{ name: 'p', values: ['a.example.net.'], check: null }],
});
const down = failoverRecord({ id: 'down.example.test./A', name: 'down.example.test.' });
const cfg = config({ records: [failoverRecord(), cname, down] });

const zs = (rrsets: ZoneState['zones'][number]['rrsets']): ZoneState => ({
  serial: 7,
  epoch: 1,
  generatedAt: 0,
  zones: [{ apex: 'example.test.', rrsets }],
});

describe('desiredRecords', () => {
  it('lists only failover records, with the served values, sorted; empty answers are left out', () => {
    const state = zs([
      { name: 'example.test.', type: 'NS', ttl: 300, values: ['ns1.example.test.'] },
      { name: 'ns1.example.test.', type: 'A', ttl: 300, values: ['127.0.0.1'] },
      { name: 'app.example.test.', type: 'A', ttl: 30, values: ['198.51.100.10', '192.0.2.99'] },
      { name: 'down.example.test.', type: 'A', ttl: 30, values: [] },
    ]);
    expect(desiredRecords(cfg, state, 'Example.Test.')).toEqual([
      { name: 'app.example.test.', type: 'A', ttl: 30, values: ['192.0.2.99', '198.51.100.10'] },
      // Not in the zone state yet: PRIMARY.
      { name: 'www.example.test.', type: 'CNAME', ttl: 300, values: ['a.example.net.'] },
    ]);
  });

  it('falls back to PRIMARY when the zone state lacks the zone, and to nothing for an unknown zone', () => {
    const empty: ZoneState = { serial: 1, epoch: 1, generatedAt: 0, zones: [] };
    expect(desiredRecords(cfg, empty, 'example.test.').map((r) => r.values)).toEqual([
      ['192.0.2.10'],
      ['192.0.2.10'],
      ['a.example.net.'],
    ]);
    expect(desiredRecords(cfg, empty, 'other.test.')).toEqual([]);
    const noAnswers = config({ records: [failoverRecord({ answers: [] })] });
    expect(desiredRecords(noAnswers, empty, 'example.test.')).toEqual([]);
  });

  it('failoverKeys lists the configured failover records of a zone', () => {
    expect(failoverKeys(cfg, 'EXAMPLE.test.')).toEqual([
      'app.example.test./A',
      'down.example.test./A',
      'www.example.test./CNAME',
    ]);
    expect(failoverKeys(cfg, 'other.test.')).toEqual([]);
  });

  it("failoverAnswerValues maps each failover record to its answers' value sets", () => {
    const m = failoverAnswerValues(cfg, 'EXAMPLE.test.');
    expect([...m.keys()].sort()).toEqual(failoverKeys(cfg, 'example.test.'));
    expect(m.get('www.example.test./CNAME')).toEqual([['a.example.net.']]);
    expect(failoverAnswerValues(cfg, 'other.test.').size).toBe(0);
  });
});
