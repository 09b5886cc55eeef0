import { describeDnsProviderConformance } from '@understudy/testkit/provider-conformance';
import { describe, expect, it } from 'vitest';
import { BuiltinProvider } from './builtin-provider.js';

let n = 0;
const clock = { now: () => 1_700_000_000_000 };

describeDnsProviderConformance('builtin', {
  create: () => {
    const zone = `conformance-${++n}.test.`;
    const provider = new BuiltinProvider({ ownerId: 'conf', zones: [zone], clock });
    return Promise.resolve({
      provider,
      zone,
      seedForeign: (records) => Promise.resolve(provider.seed(zone, records)),
      rawRecords: () => Promise.resolve(provider.records(zone)),
    });
  },
  cleanup: () => Promise.resolve(),
});

describe('BuiltinProvider', () => {
  const zone = 'b.test.';
  const mk = () => new BuiltinProvider({ ownerId: 'me', zones: [zone], clock });
  const a = { name: `x.${zone}`, type: 'A' as const, ttl: 60, values: ['192.0.2.1'] };

  it('names the target in errors for unknown zones and after close', async () => {
    const p = mk();
    await expect(p.read('other.test.')).rejects.toThrow('builtin target "dns": unknown zone other.test.');
    await p.close();
    await expect(p.read(zone)).rejects.toThrow('closed');
  });

  it('refuses to delete foreign records, create over existing ones or update missing ones', async () => {
    const p = mk();
    p.seed(zone, [a]);
    const base = { target: 'dns', zone, creates: [], updates: [], deletes: [], conflicts: [] };
    const r1 = await p.apply({ ...base, deletes: [a] });
    expect(r1.changes).toEqual([
      { kind: 'delete', name: a.name, type: 'A', ok: false, error: 'record is not owned' },
    ]);
    const r2 = await p.apply({ ...base, creates: [a] });
    expect(r2.changes[0]?.error).toBe('record exists');
    const b = { ...a, name: `y.${zone}` };
    const r3 = await p.apply({ ...base, updates: [{ before: b, after: b }] });
    expect(r3.changes[0]?.error).toBe('record not found');
    const r4 = await p.apply({ ...base, deletes: [b] });
    expect(r4.changes[0]?.error).toBe('record not found');
    expect(p.records(zone)).toEqual([a]);
  });

  it('normalize canonicalizes values and warns about values it cannot parse', () => {
    const res = mk().normalize([
      { name: `x.${zone}`, type: 'AAAA', ttl: 60, values: ['2001:DB8:0::1'] },
      { name: `y.${zone}`, type: 'A', ttl: 60, values: ['not-an-ip'] },
    ]);
    // A record whose only value does not parse is left out: the store never holds an RRset without values.
    expect(res.records.map((r) => r.values)).toEqual([['2001:db8::1']]);
    expect(res.warnings).toHaveLength(1);
    expect(res.warnings[0]).toContain(`y.${zone} A`);
    expect(res.warnings[0]).toContain('left out');
  });

  it('normalize leaves out a bad value but keeps the record when a valid value remains', () => {
    const res = mk().normalize([
      { name: `z.${zone}`, type: 'A', ttl: 60, values: ['not-an-ip', '192.0.2.5'] },
    ]);
    expect(res.records).toEqual([{ name: `z.${zone}`, type: 'A', ttl: 60, values: ['192.0.2.5'] }]);
    expect(res.warnings).toHaveLength(1);
    expect(res.warnings[0]).toContain(`z.${zone} A`);
    expect(res.warnings[0]).toContain('value left out');
  });

  it('a marker of another owner does not make a record ours', async () => {
    const p = mk();
    p.seed(zone, [
      a,
      { name: `a._understudy.x.${zone}`, type: 'TXT', ttl: 60, values: ['"understudy:owner=other"'] },
    ]);
    const read = await p.read(zone);
    expect(read.owned).toEqual([]);
    expect(read.foreign).toEqual([a]);
  });
});
