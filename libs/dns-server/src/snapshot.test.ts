import { ConfigError } from '@understudy/core';
import type { RRset, ZoneState } from '@understudy/core';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from './snapshot.js';
import { fixtureZoneState } from './test-support/zones.js';
import { hashWireName, nameToWire } from './wire.js';

function withRRsets(extra: RRset[]): ZoneState {
  const zs = fixtureZoneState();
  zs.zones[0]!.rrsets.push(...extra);
  return zs;
}

function problemsOf(zs: ZoneState): string[] {
  try {
    buildSnapshot(zs);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected buildSnapshot to throw');
}

describe('buildSnapshot', () => {
  it('indexes every name (ENTs included) with an answer per type and one for all other types', () => {
    const snap = buildSnapshot(fixtureZoneState(42));
    expect(snap.serial).toBe(42);
    const keys = snap.table.names.map((e) => e.key.toString('latin1'));
    expect(keys).toContain(nameToWire('b.c.example.test.').toString('latin1'));
    const www = snap.table.names.find((e) => e.key.equals(nameToWire('www.example.test.')))!;
    expect(www.qtypes.sort()).toEqual([1, 28]);
    expect(www.other).toMatchObject({ rcode: 0, an: 0, ns: 1, aa: true });
    const key = nameToWire('WWW.Example.TEST.');
    expect(snap.table.find(hashWireName(nameToWire('www.example.test.')), key, 0, key.length)).toBe(www);
  });

  it('marks zone apexes, and zones with wildcards or delegations as not simple', () => {
    const snap = buildSnapshot(fixtureZoneState());
    const apexes = snap.table.names.filter((e) => e.zone).map((e) => e.zone!.apex);
    expect(apexes.sort()).toEqual(['example.test.', 'other.test.', 'sub.example.test.']);
    expect(snap.table.names.every((e) => !e.zone || e.zone.simple)).toBe(true);
    const wild = buildSnapshot(
      withRRsets([{ name: '*.w.example.test.', type: 'A', ttl: 1, values: ['192.0.2.1'] }]),
    );
    expect(wild.table.names.find((e) => e.zone?.apex === 'example.test.')!.zone!.simple).toBe(false);
  });

  it('gives names inside a more specific zone to that zone only', () => {
    const zs = withRRsets([{ name: 'host.sub.example.test.', type: 'A', ttl: 1, values: ['192.0.2.200'] }]);
    const snap = buildSnapshot(zs);
    const hits = snap.table.names.filter((e) => e.key.equals(nameToWire('host.sub.example.test.')));
    expect(hits).toHaveLength(1);
  });

  it('names the bad RRset and reports every problem at once', () => {
    const problems = problemsOf(
      withRRsets([
        { name: 'bad.example.test.', type: 'A', ttl: 300, values: ['1.2.3'] },
        { name: 'Upper.example.test.', type: 'A', ttl: 300, values: ['192.0.2.1'] },
        { name: 'www.elsewhere.test.', type: 'A', ttl: 300, values: ['192.0.2.1'] },
        { name: 'ttl.example.test.', type: 'A', ttl: -1, values: ['192.0.2.1'] },
      ]),
    );
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(
      /^zones\[0\]\.rrsets\[\d+\]: bad\.example\.test\.\/A: "1\.2\.3" is not an IPv4 address/,
    );
    expect(problems[1]).toMatch(/"Upper\.example\.test\." is not canonical/);
    expect(problems[2]).toMatch(/outside zone example\.test\./);
    expect(problems[3]).toMatch(/ttl -1/);
  });

  it('rejects CNAMEs beside other data, duplicate RRsets, a missing SOA and duplicate zones', () => {
    expect(
      problemsOf(withRRsets([{ name: 'alias.example.test.', type: 'TXT', ttl: 1, values: ['"x"'] }]))[0],
    ).toMatch(/alias\.example\.test\.: a CNAME cannot coexist/);
    expect(
      problemsOf(withRRsets([{ name: 'www.example.test.', type: 'A', ttl: 1, values: ['192.0.2.9'] }]))[0],
    ).toMatch(/www\.example\.test\.\/A: duplicate RRset/);
    const noSoa = fixtureZoneState();
    noSoa.zones[1]!.rrsets = noSoa.zones[1]!.rrsets.filter((r) => r.type !== 'SOA');
    expect(problemsOf(noSoa)).toEqual(['zones[1]: zone other.test. has no SOA RRset']);
    const twice = fixtureZoneState();
    twice.zones.push(twice.zones[1]!);
    expect(problemsOf(twice)).toEqual(['zones[3]: zone other.test. is listed twice']);
  });

  it('rejects an answer too large for one message', () => {
    const values = Array.from({ length: 300 }, (_, i) => `"${String(i).padStart(250, 'x')}"`);
    expect(problemsOf(withRRsets([{ name: 'huge.example.test.', type: 'TXT', ttl: 1, values }]))[0]).toMatch(
      /huge\.example\.test\. type 16\b.* too large/,
    );
  });

  it('accepts an empty CNAME beside data (an empty RRset is no alias)', () => {
    const zs = withRRsets([
      { name: 'fo.example.test.', type: 'CNAME', ttl: 30, values: [] },
      { name: 'fo.example.test.', type: 'TXT', ttl: 30, values: ['"x"'] },
    ]);
    expect(buildSnapshot(zs).serial).toBe(1);
  });
});
