import { describe, expect, it } from 'vitest';
import { MAX_TTL, decodeName, fromWire, normalizeRecords } from './records.js';

describe('Route 53 records', () => {
  it('decodes octal escapes and case in names', () => {
    expect(decodeName('\\052.Example.COM.')).toBe('*.example.com.');
    expect(decodeName('www.example.com')).toBe('www.example.com.');
  });

  it('reads values into canonical form; alias records come back described, not as values; unknown types are skipped', () => {
    const r = fromWire({
      Name: 'v6.example.com.',
      Type: 'AAAA',
      TTL: 60,
      ResourceRecords: [{ Value: '2001:DB8:0::1' }],
    });
    expect(r?.record.values).toEqual(['2001:db8::1']);
    expect(r?.wire.values).toEqual(['2001:DB8:0::1']);
    const alias = fromWire({
      Name: 'a.example.com.',
      Type: 'A',
      AliasTarget: { HostedZoneId: 'Z', DNSName: 'x.', EvaluateTargetHealth: false },
    });
    expect(alias?.record.values).toEqual(['<alias to x.>']);
    expect(alias?.wire.set?.AliasTarget?.DNSName).toBe('x.');
    expect(
      fromWire({ Name: 'p.example.com.', Type: 'PTR', TTL: 60, ResourceRecords: [{ Value: 'x.' }] }),
    ).toBeNull();
  });

  it('normalize: canonical values, TTL range, and warnings for what Route 53 cannot hold', () => {
    const n = normalizeRecords([
      { name: 'A.Example.com.', type: 'A', ttl: 60, values: ['192.0.2.2', '192.0.2.1', '192.0.2.1'] },
      { name: 'big.example.com.', type: 'A', ttl: MAX_TTL + 5, values: ['192.0.2.3'] },
      { name: 'neg.example.com.', type: 'A', ttl: -1, values: ['192.0.2.3'] },
      { name: 'empty.example.com.', type: 'A', ttl: 60, values: [] },
      { name: 'bad.example.com.', type: 'A', ttl: 60, values: ['nope'] },
      { name: 't.example.com.', type: 'TXT', ttl: 60, values: ['"a b"'] },
    ]);
    expect(n.records).toEqual([
      { name: 'a.example.com.', type: 'A', ttl: 60, values: ['192.0.2.1', '192.0.2.2'] },
      { name: 'big.example.com.', type: 'A', ttl: MAX_TTL, values: ['192.0.2.3'] },
      { name: 'neg.example.com.', type: 'A', ttl: 0, values: ['192.0.2.3'] },
      { name: 't.example.com.', type: 'TXT', ttl: 60, values: ['"a b"'] },
    ]);
    expect(n.warnings).toHaveLength(4);
    expect(n.warnings.join('\n')).toMatch(
      /empty\.example\.com\. A: Route 53 cannot hold a record without values/,
    );
  });

  it('normalize leaves out a value over 4,000 characters, which Route 53 refuses (issue 17, case 6)', () => {
    const text = `"${'x'.repeat(250)}" `.repeat(17).trim();
    const n = normalizeRecords([{ name: 'long.example.com.', type: 'TXT', ttl: 60, values: [text] }]);
    expect(n.records).toEqual([]);
    expect(n.warnings).toEqual([
      expect.stringMatching(
        /^long\.example\.com\. TXT: a value is \d+ characters, over Route 53's 4000; left out$/,
      ),
    ]);
  });
});
