import { describe, expect, it } from 'vitest';
import { newRecordState } from './state-init.js';
import { config, failoverRecord } from './test-support/fixtures.js';
import { buildZoneState, soaValue } from './zone-state.js';

describe('buildZoneState', () => {
  it('puts SOA, apex NS, static records and failover answers in every zone', () => {
    const cfg = config();
    const rec = cfg.zones[0]!.failover[0]!;
    const rs = newRecordState(rec);
    rs.values = ['198.51.100.10'];
    const zs = buildZoneState(cfg, { [rec.id]: rs }, 42, 3, 1000);
    expect(zs).toMatchObject({ serial: 42, epoch: 3, generatedAt: 1000 });
    expect(zs.zones[0]!.rrsets).toEqual([
      {
        name: 'example.test.',
        type: 'SOA',
        ttl: 3600,
        values: ['ns1.example.test. hostmaster.example.test. 42 3600 600 1209600 60'],
      },
      { name: 'example.test.', type: 'NS', ttl: 300, values: ['ns1.example.test.'] },
      { name: 'ns1.example.test.', type: 'A', ttl: 300, values: ['127.0.0.1'] },
      { name: 'app.example.test.', type: 'A', ttl: 30, values: ['198.51.100.10'] },
    ]);
    expect(soaValue(cfg.zones[0]!, 7)).toContain(' 7 ');
  });

  it('serves the primary for a record without state', () => {
    const cfg = config({ records: [failoverRecord()] });
    const zs = buildZoneState(cfg, {}, 1, 1, 1);
    expect(zs.zones[0]!.rrsets.at(-1)!.values).toEqual(['192.0.2.10']);
  });
});
